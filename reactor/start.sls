{# Runs on salt/minion/<id>/start: every time a minion (re)connects, which
   includes a master or network restart, not only a first boot.
   data['id'] is the minion that started. Its highstate (states/top.sls)
   brings it to the state its SLS files describe; a host that is already
   there sees no changes. #}
highstate_run:
  local.state.highstate:
    - tgt: {{ data['id'] }}

record_start:
  local.cmd.run:
    - tgt: {{ data['id'] }}
    - args:
      - cmd: 'logger -t tsalt "minion {{ data['id'] }} started"'
