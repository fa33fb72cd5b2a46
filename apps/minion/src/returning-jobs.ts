import { isJid } from '@tsalt/job';
import type { PublishLoad } from '@tsalt/transport';

/**
 * Finished jobs whose return is on its way to the master, per minion id, as
 * proc data (the load and this process's pid, which saltutil never
 * signals). Salt's job process lives until its return is sent, so
 * `saltutil.find_job` and `running` still list the job meanwhile; this is
 * what a JobControl's `returning()` hands them. tsalt-minion keeps one for
 * its own id, tsalt-swarm one for all the minions of a process.
 */
export class ReturningJobs {
  private readonly byMinion = new Map<string, Map<string, Record<string, unknown>>>();

  /** Runs `send` (the return's trip, retries included) with the job listed for `id` until it settles. */
  async during<T>(id: string, load: PublishLoad, send: () => Promise<T>): Promise<T> {
    const { jid } = load;
    if (!isJid(jid)) return send();
    let mine = this.byMinion.get(id);
    if (!mine) this.byMinion.set(id, (mine = new Map<string, Record<string, unknown>>()));
    mine.set(jid, { ...load, pid: process.pid });
    try {
      return await send();
    } finally {
      mine.delete(jid);
      if (mine.size === 0) this.byMinion.delete(id);
    }
  }

  /** The jobs of `id` still returning. */
  of(id: string): Record<string, unknown>[] {
    const mine = this.byMinion.get(id);
    return mine ? [...mine.values()] : [];
  }
}
