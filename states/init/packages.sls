{% from 'init/settings.jinja' import settings %}
# The packages every host needs (pillar env_init:packages; an empty list installs nothing).
{% if settings.packages %}
base_packages:
  pkg.installed:
    - pkgs: {{ settings.packages | json }}
{% endif %}
