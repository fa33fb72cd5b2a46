{# The baseline every host gets: a managed motd, a few packages, an admin
   group and user, and a command that runs only when the motd changed.
   Each part is its own SLS so that a top file can pick them one by one. #}
include:
  - .motd
  - .packages
  - .admin
