{# Accept the key of a new minion whose id ends in the company suffix (_web).
   Fired on salt/auth; `act` is pend the first time an unknown key shows up.
   Other pending keys stay pending for tsalt-key. #}
{% if 'act' in data and data['act'] == 'pend' and data['id'].endswith('_web') %}
accept_new_web_minion:
  wheel.key.accept:
    - args:
      - match: {{ data['id'] }}
{% endif %}
