"""Technology supply: projects, research results and patents, and their pipeline stage."""
