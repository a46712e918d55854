"""Expert review: experts, conflicts, assignment, review forms, scoring and decisions."""
