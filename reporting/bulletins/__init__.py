"""The monthly bulletin (通报): a paper of its own, generated from the rollups, and its publication.

The bulletin is the leading group office's paper: its own number (第N期, per plan year, given at
publication), its own issuer (``Plan.bulletin_issuer``), its 成文日期 and 抄送 line. It cites
the plan (根据《…》（鹤政办〔2015〕39号）) but never wears the plan's 文号 or issuer.

Modules: ``numbers`` (what a bulletin is written from), ``rankings``, ``wording`` (clauses),
``text`` (masthead, title, body), ``word`` (the .docx), ``changes`` (since publication);
publishing is ``reporting.services.bulletins.bulletin_publish``. A county's own bulletin
(县区通报: its rows, its 第N期, its issuer) is ``county`` (its numbers) and ``county_text``.

The text is a plain function of the month's numbers (``collect``): the progress API's document
(``reporting.selectors.progress``, read from the rollup tables, never the submissions), the
reports missing or late (``targets.completeness.gaps``), the reports not yet approved
(``outstanding``) and how the training goal breaks down (``breakdowns``). Publishing stores both
the text and the numbers (``Bulletin``), so a published bulletin never changes;
``changes_since`` lists what the current rollup says differently.

Sections, in the usual order: 一、总体进展 二、各县区进展 三、各部门进展 四、重点工作进展
五、存在的问题 六、下步工作要求. 重点工作进展 (``work``) is worded from the work items' numbers
(``numbers.work``: approved step reports only), stored with the others at publication; a
bulletin published before it existed keeps 四、存在的问题 五、下步工作要求.

A row whose as-of month's reports are not all approved (``status`` ``pending``, or its
``reported`` counts short) is **not judged**: the text says 数据不全 with the reports approved,
never 低于序时进度, and never lists it among the items in red. A row without ``reported`` is
taken as complete.

How things are ranked (and said in the text):

- quotas: by completion minus the expected share (序时进度: m/12 for a flow, the whole target
  for a level or a rate, as the rollup judges them), highest first; pending quotas next, then
  quotas without data; ties keep the plan's order.
- counties: over the judged quotas with a county target (rates have none), each county's mean
  completion minus the mean expected share, highest first; ties keep the counties' order.
  The mean counts every split quota once, small or large: summing actuals across quotas
  would add person-times to persons and let the largest quota decide the ranking. City-level
  units (市直, a region of kind ``city``) are not a county: listed apart, never ranked.

Numbers are written by ``reporting.formatting`` (the dashboard's and workbook's formatter):
percentages rounded once from the exact ratio, 万 amounts, points as differences of the printed
percentages. A rate's value is the rate (numerator ÷ denominator); its completion against the
target is said separately, labelled (为目标的…).
"""
