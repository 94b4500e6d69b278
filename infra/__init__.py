"""Tools beside template.yaml: template reading, handler loading, local provisioning,
bootstrapping an organization."""
