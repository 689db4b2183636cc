-- The people a group-robot message is for, mentioned by the phone stored
-- with their accounts (钉钉 at.atMobiles, 企业微信 mentioned_mobile_list):
-- sealed, comma-separated, opened only to send.
ALTER TABLE deliveries ADD COLUMN mentions TEXT NOT NULL DEFAULT '';
