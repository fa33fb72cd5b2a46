{% from 'init/settings.jinja' import settings %}
# The packages every host needs (pillar env_init:packages).
base_packages:
  pkg.installed:
    - pkgs: {{ settings.packages | json }}
