"""The web application (`helpdesk web`): the public Formulir, the reporter's status page
and the staff desk. See `helpdesk.web.app`."""
