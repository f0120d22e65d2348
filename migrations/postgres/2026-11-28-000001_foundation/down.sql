DROP TABLE audit_log;
DROP TABLE api_tokens;
DROP TABLE invitations;
DROP TABLE sessions;
DROP TABLE users;
DROP TABLE organisations;
