"""The pages of clerks and reviewers: entry, review, supervision notices."""
