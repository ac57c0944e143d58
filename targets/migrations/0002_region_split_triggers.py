"""The county split of a target may not exceed the city target: a database trigger.

A CheckConstraint cannot look at other rows, so PostgreSQL and SQLite each get triggers on
both tables: a split that pushes the total over the city target, or a city target lowered
below the splits already made, is refused with an integrity error.
"""

from django.db import migrations

POSTGRES_FORWARD = """
CREATE OR REPLACE FUNCTION targets_check_region_split() RETURNS trigger AS $$
DECLARE
    city bigint;
    total bigint;
    splits bigint;
    indicator bigint;
BEGIN
    IF TG_TABLE_NAME = 'targets_indicator' THEN
        indicator := NEW.id;
    ELSE
        indicator := NEW.indicator_id;
    END IF;
    SELECT target INTO city FROM targets_indicator WHERE id = indicator;
    SELECT COALESCE(SUM(target), 0), COUNT(*) INTO total, splits FROM targets_regiontarget
        WHERE indicator_id = indicator;
    IF splits > 0 AND (city IS NULL OR total > city) THEN
        RAISE EXCEPTION 'county split % exceeds the city target % of indicator %',
            total, city, indicator USING ERRCODE = '23514';
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER targets_regiontarget_split_check
    AFTER INSERT OR UPDATE ON targets_regiontarget
    FOR EACH ROW EXECUTE FUNCTION targets_check_region_split();
CREATE TRIGGER targets_indicator_split_check
    AFTER UPDATE OF target ON targets_indicator
    FOR EACH ROW EXECUTE FUNCTION targets_check_region_split();
"""

POSTGRES_REVERSE = """
DROP TRIGGER IF EXISTS targets_regiontarget_split_check ON targets_regiontarget;
DROP TRIGGER IF EXISTS targets_indicator_split_check ON targets_indicator;
DROP FUNCTION IF EXISTS targets_check_region_split();
"""

_SQLITE_SPLIT_OVER = """
    (SELECT COALESCE(SUM(target), 0) FROM targets_regiontarget WHERE indicator_id = {ref})
    > COALESCE((SELECT target FROM targets_indicator WHERE id = {ref}), -1)
"""

SQLITE_FORWARD = [
    f"""
CREATE TRIGGER targets_regiontarget_split_insert AFTER INSERT ON targets_regiontarget
WHEN {_SQLITE_SPLIT_OVER.format(ref="NEW.indicator_id")}
BEGIN SELECT RAISE(ABORT, 'county split exceeds the city target'); END;
""",
    f"""
CREATE TRIGGER targets_regiontarget_split_update AFTER UPDATE ON targets_regiontarget
WHEN {_SQLITE_SPLIT_OVER.format(ref="NEW.indicator_id")}
BEGIN SELECT RAISE(ABORT, 'county split exceeds the city target'); END;
""",
    """
CREATE TRIGGER targets_indicator_split_update AFTER UPDATE OF target ON targets_indicator
WHEN (SELECT COUNT(*) FROM targets_regiontarget WHERE indicator_id = NEW.id) > 0
    AND (SELECT SUM(target) FROM targets_regiontarget WHERE indicator_id = NEW.id)
        > COALESCE(NEW.target, -1)
BEGIN SELECT RAISE(ABORT, 'city target below the county split'); END;
""",
]

SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS targets_regiontarget_split_insert;",
    "DROP TRIGGER IF EXISTS targets_regiontarget_split_update;",
    "DROP TRIGGER IF EXISTS targets_indicator_split_update;",
]


def forward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_FORWARD, params=None)
    elif vendor == "sqlite":
        for statement in SQLITE_FORWARD:
            schema_editor.execute(statement)


def reverse(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_REVERSE, params=None)
    elif vendor == "sqlite":
        for statement in SQLITE_REVERSE:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("targets", "0001_initial")]

    operations = [migrations.RunPython(forward, reverse)]
