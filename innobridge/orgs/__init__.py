"""Organizations, people, their memberships, and the industry joint labs."""
