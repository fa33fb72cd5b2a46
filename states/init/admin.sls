{% from 'init/settings.jinja' import settings %}
# An admin group and a system user in it, and a folder the user owns.
admin_group:
  group.present:
    - name: {{ settings.admin_group }}
    - system: True

admin_user:
  user.present:
    - name: {{ settings.admin_user }}
    - system: True
    - createhome: False
    - groups:
      - {{ settings.admin_group }}
    - require:
      - group: admin_group

stamp_dir:
  file.directory:
    - name: {{ settings.stamp_dir }}
    - user: {{ settings.admin_user }}
    - group: {{ settings.admin_group }}
    - mode: '0755'
    - makedirs: True
    - require:
      - user: admin_user
