{# Runs on salt/minion/<id>/start: every time a minion (re)connects, which
   includes a master or network restart, not only a first boot.
   data['id'] is the minion that started. #}
record_start:
  local.cmd.run:
    - tgt: {{ data['id'] }}
    - args:
      - cmd: 'logger -t tsalt "minion {{ data['id'] }} started"'
