DROP TABLE oidc_used_states;
