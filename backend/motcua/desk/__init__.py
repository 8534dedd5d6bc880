"""The commune one-stop desk: the inbox, the workflow, deadlines in working time."""
