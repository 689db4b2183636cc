-- An account's 企业微信 member id (成员 UserID): its application messages go
-- there, and 企业微信's web authorisation (网页授权) signs the account in by
-- it. One account per member.
ALTER TABLE users ADD COLUMN wecom_user TEXT NOT NULL DEFAULT '';
CREATE UNIQUE INDEX users_wecom_user ON users (wecom_user) WHERE wecom_user <> '';

-- The outbox takes 企业微信 application messages too (channel 'wecom', the
-- target a member id).
ALTER TABLE deliveries DROP CONSTRAINT deliveries_channel_check;
ALTER TABLE deliveries ADD CONSTRAINT deliveries_channel_check CHECK (channel IN ('email', 'webhook', 'wecom'));
