"""GitLab: file docs issues through python-gitlab (REST API v4)."""
