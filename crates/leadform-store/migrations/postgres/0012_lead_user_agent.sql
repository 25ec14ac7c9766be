-- The visitor's user agent (the request's User-Agent header), for Marketo's visitorData
-- (issue 13 §4). NULL when the form's storage policy forbids remembering the visitor, and for
-- leads stored before this migration. Erased with the lead's other values. Keep in step with the
-- other dialect's folder.
ALTER TABLE leads ADD COLUMN user_agent TEXT;
