"""Partner registrations: schemas, templates, validation, import, history, sample workbooks."""
