"""Process templates (quy trình mẫu): the standard steps of a kind of task, and the
milestones and due date they give."""
