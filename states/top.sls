# The top file: which SLS files each minion gets, per environment.
# Every minion ('*') runs init.env_init; add targets below it as the fleet grows:
#   'web*':
#     - web
#   'os:Debian':
#     - match: grain
#     - debian
base:
  '*':
     - init.env_init
