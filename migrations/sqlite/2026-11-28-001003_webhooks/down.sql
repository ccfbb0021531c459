DROP TABLE webhook_deliveries;
DROP TABLE agency_webhooks;
