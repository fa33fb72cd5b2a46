{% from 'init/settings.jinja' import settings %}
# The message of the day, from a Jinja template that reads grains.
motd:
  file.managed:
    - name: {{ settings.motd }}
    - source: salt://init/files/motd.jinja
    - template: jinja
    - mode: '0644'
    - context:
        role: {{ salt['pillar.get']('role', 'server') }}

# Records each motd change; onchanges: it runs only when the file changed.
motd_changed:
  cmd.run:
    - name: 'mkdir -p {{ settings.stamp_dir }} && date +%s > {{ settings.stamp_dir }}/motd.changed'
    - onchanges:
      - file: motd
