# Timed test.ping rounds through Salt's own LocalClient, in one Python
# process, so no round pays Salt's CLI start-up: the bench's `salt-peer`
# section runs this with Debian's python3 and salt.sh's PYTHONPATH.
#   python3 salt-localclient.py MASTER_CONFIG_FILE MINIONS ROUNDS TIMEOUT_S
# Prints one JSON line: {"times_ms": [...], "all_returned": k}.
import json
import sys
import time

import salt.client


def main():
    conf, minions, rounds, timeout = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    client = salt.client.LocalClient(c_path=conf)
    # Untimed: the first call connects to the master's event bus.
    client.cmd("*", "test.ping", timeout=timeout)
    times = []
    all_returned = 0
    for _ in range(rounds):
        t0 = time.monotonic()
        ret = client.cmd("*", "test.ping", timeout=timeout)
        times.append((time.monotonic() - t0) * 1000)
        if sum(1 for v in ret.values() if v is True) == minions:
            all_returned += 1
    print(json.dumps({"times_ms": times, "all_returned": all_returned}))


main()
