import type { MinionConfig } from '@tsalt/config';
import { errorLine, isRecord, pyStr } from '@tsalt/core';
import { definePlugin, pyTruthy, type BoundArgs } from '@tsalt/loader';
import { stringify } from 'yaml';
import type { ModuleContext as PluginContext, ModuleServices, ScheduleReply, ScheduleRequest } from '../context.js';

/*
 * Salt's `schedule` execution module (salt/modules/schedule.py). Salt's
 * module fires `manage_schedule` on the minion's local bus and waits for a
 * `minion_schedule_*_complete` event; tsalt's job process asks the daemon
 * through services.schedule instead (see apps/minion), with the same request
 * fields and the same answers. Without the service (tsalt-call), each
 * function answers as Salt does without an event bus.
 */

/** The keys schedule.list shows (Salt's SCHEDULE_CONF). */
const SCHEDULE_CONF = new Set([
  'name',
  'maxrunning',
  'function',
  'splay',
  'range',
  'when',
  'once',
  'once_fmt',
  'returner',
  'jid_include',
  'args',
  'kwargs',
  '_seconds',
  'seconds',
  'minutes',
  'hours',
  'days',
  'enabled',
  'return_job',
  'metadata',
  'cron',
  'until',
  'after',
  'return_config',
  'return_kwargs',
  'run_on_start',
  'skip_during_range',
  'run_after_skip_range',
]);

const HIDDEN = new Set(['enabled', 'skip_function', 'skip_during_range']);
const TIME_ELEMENTS = ['seconds', 'minutes', 'hours', 'days'];

type Result = Record<string, unknown>;

/** Salt's `safe_dump(..., default_flow_style=False)`: block style, keys sorted, list items not indented. */
function safeDump(data: unknown): string {
  return stringify(data, { sortMapEntries: true, indentSeq: false, singleQuote: true });
}

/** The job's own keyword arguments: the call's kwargs less the `__pub_*` fields. */
function jobKwargs(a: BoundArgs): Record<string, unknown> {
  const extra = isRecord(a['__kwargs__']) ? a['__kwargs__'] : {};
  return Object.fromEntries(Object.entries(extra).filter(([k]) => !k.startsWith('__')));
}

async function manage(ctx: PluginContext, req: ScheduleRequest): Promise<ScheduleReply | undefined> {
  const svc = ctx.services.schedule;
  if (!svc) return undefined;
  try {
    return await svc.manage(req);
  } catch (err) {
    ctx.log.warn({ func: req.func, err: errorLine(err) }, 'the minion did not answer a schedule request');
    return { complete: false };
  }
}

interface ListOptions {
  show_all?: unknown;
  show_disabled?: unknown;
  where?: unknown;
  return_yaml?: unknown;
}

/** Salt's list_: the entries the daemon holds, filtered to SCHEDULE_CONF; YAML unless return_yaml is false. */
async function listSchedule(ctx: PluginContext, o: ListOptions): Promise<unknown> {
  const where = o.where === 'opts' || o.where === 'pillar' ? o.where : undefined;
  const reply = await manage(ctx, { func: 'list', ...(where ? { where } : {}) });
  if (!reply) {
    ctx.log.debug('Event module not available. Schedule list failed.');
    return { comment: 'Event module not available. Schedule list failed.', result: true };
  }
  const schedule: Record<string, unknown> = reply.complete && isRecord(reply.schedule) ? reply.schedule : {};
  for (const name of Object.keys(schedule)) {
    if (HIDDEN.has(name)) continue;
    // Salt's own jobs begin with __ and are hidden unless show_all.
    if (name.startsWith('__') && !pyTruthy(o.show_all ?? false)) {
      delete schedule[name];
      continue;
    }
    const job = schedule[name];
    if (!isRecord(job)) continue;
    if (!('enabled' in job)) job['enabled'] = true;
    for (const key of Object.keys(job)) {
      const v = job[key];
      if (!SCHEDULE_CONF.has(key) || v === null || v === undefined) delete job[key];
      else if (v === 'true') job[key] = true;
      else if (v === 'false') job[key] = false;
    }
    if (!pyTruthy(o.show_disabled ?? true) && !pyTruthy(job['enabled'])) {
      delete schedule[name];
      continue;
    }
    delete job['_seconds'];
  }
  if (!pyTruthy(o.return_yaml ?? true)) return schedule;
  const saved = new Set(reply.saved ?? []);
  for (const [name, job] of Object.entries(schedule)) if (isRecord(job)) job['saved'] = saved.has(name);
  return safeDump({ schedule });
}

async function currentSchedule(ctx: PluginContext, where?: 'opts' | 'pillar'): Promise<Record<string, unknown>> {
  const got = await listSchedule(ctx, { show_all: true, return_yaml: false, where });
  return isRecord(got) && !('comment' in got && 'result' in got) ? got : {};
}

/** Salt's build_schedule_item: the entry schedule.add and schedule.modify send, or `{comment, result: false}`. */
function buildItem(name: unknown, kw: Record<string, unknown>): Result {
  if (!name) return { comment: 'Job name is required.', result: false };
  const timeConflict = TIME_ELEMENTS.some((k) => k in kw && ('when' in kw || 'cron' in kw));
  if (timeConflict)
    return {
      comment: 'Unable to use "seconds", "minutes", "hours", or "days" with "when" or "cron" options.',
      result: false,
    };
  if ('when' in kw && 'cron' in kw)
    return { comment: 'Unable to use "when" and "cron" options together.  Ignoring.', result: false };
  const item: Result = { function: kw['function'] };
  for (const k of TIME_ELEMENTS) if (k in kw) item[k] = kw[k];
  for (const k of ['return_job', 'metadata']) if (k in kw) item[k] = kw[k];
  if ('job_args' in kw) {
    if (!Array.isArray(kw['job_args']))
      return { comment: 'job_args is not a list. please correct and try again.', result: false };
    item['args'] = kw['job_args'];
  }
  if ('job_kwargs' in kw) {
    if (!isRecord(kw['job_kwargs']))
      return { comment: 'job_kwargs is not a dict. please correct and try again.', result: false };
    item['kwargs'] = kw['job_kwargs'];
  }
  item['maxrunning'] = kw['maxrunning'] ?? 1;
  item['name'] = kw['name'] ?? name;
  item['enabled'] = kw['enabled'] ?? true;
  item['jid_include'] = kw['jid_include'] ?? true;
  if ('splay' in kw) item['splay'] = kw['splay'];
  for (const k of [
    'range',
    'when',
    'once',
    'once_fmt',
    'cron',
    'returner',
    'after',
    'return_config',
    'return_kwargs',
    'until',
    'run_on_start',
    'skip_during_range',
  ])
    if (k in kw) item[k] = kw[k];
  return item;
}

function isFailure(item: Result): boolean {
  return 'result' in item && item['result'] === false && 'comment' in item;
}

function persistOf(kw: Record<string, unknown>): boolean {
  return pyTruthy(kw['persist'] ?? true);
}

async function add(ctx: PluginContext, name: string, kw: Record<string, unknown>): Promise<Result> {
  const ret: Result = { comment: `Failed to add job ${name} to schedule.`, result: false, changes: {} };
  const current = await currentSchedule(ctx);
  if (name in current) return { ...ret, comment: `Job ${name} already exists in schedule.` };
  if (TIME_ELEMENTS.some((k) => k in kw && ('when' in kw || 'cron' in kw)))
    return {
      ...ret,
      comment: 'Error: Unable to use "seconds", "minutes", "hours", or "days" with "when" or "cron" options.',
    };
  const item = buildItem(name, kw);
  if (isFailure(item)) return item;
  if (pyTruthy(kw['test'] ?? false))
    return { ...ret, comment: `Job: ${name} would be added to schedule.`, result: true };
  const reply = await manage(ctx, { func: 'add', name, schedule: { [name]: item }, persist: persistOf(kw) });
  if (!reply) return { ...ret, comment: 'Event module not available. Schedule add failed.' };
  if (reply.complete && isRecord(reply.schedule) && name in reply.schedule)
    return { comment: `Added job: ${name} to schedule.`, result: true, changes: { [name]: 'added' } };
  return ret;
}

async function modify(ctx: PluginContext, name: string, kw: Record<string, unknown>): Promise<Result> {
  const ret: Result = { comment: '', changes: {}, result: true };
  if (TIME_ELEMENTS.some((k) => k in kw && ('when' in kw || 'cron' in kw)))
    return {
      ...ret,
      result: false,
      comment: 'Error: Unable to use "seconds", "minutes", "hours", or "days" with "when" option.',
    };
  if ('when' in kw && 'cron' in kw)
    return { ...ret, result: false, comment: 'Unable to use "when" and "cron" options together.  Ignoring.' };
  const current = await currentSchedule(ctx);
  const old = current[name];
  if (!isRecord(old)) return { ...ret, result: false, comment: `Job ${name} does not exist in schedule.` };
  const args = { ...kw };
  args['function'] ??= old['function'];
  const item = buildItem(name, args);
  delete item['test'];
  if (isFailure(item)) return item;
  if (JSON.stringify(sorted(item)) === JSON.stringify(sorted(old)))
    return { ...ret, comment: `Job ${name} in correct state` };
  ret['changes'] = { [name]: { old, new: item } };
  if (pyTruthy(kw['test'] ?? false)) return { ...ret, comment: `Job: ${name} would be modified in schedule.` };
  const inOpts = name in (await currentSchedule(ctx, 'opts'));
  const reply = await manage(ctx, { func: 'modify', name, schedule: item, persist: inOpts && persistOf(kw) });
  if (reply?.complete) return { ...ret, comment: `Modified job: ${name} in schedule.` };
  return { ...ret, comment: `Failed to modify job ${name} in schedule.`, result: false };
}

function sorted(r: Record<string, unknown>): [string, unknown][] {
  return Object.entries(r).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/** Where a job lives, for delete / enable_job / disable_job; undefined when nowhere. */
async function whereIs(ctx: PluginContext, name: string): Promise<'opts' | 'pillar' | undefined> {
  if (name in (await currentSchedule(ctx, 'opts'))) return 'opts';
  if (name in (await currentSchedule(ctx, 'pillar'))) return 'pillar';
  return undefined;
}

async function deleteJob(ctx: PluginContext, name: string, kw: Record<string, unknown>): Promise<Result> {
  const ret: Result = { comment: `Failed to delete job ${name} from schedule.`, result: false, changes: {} };
  if (!name) ret['comment'] = 'Job name is required.';
  if (pyTruthy(kw['test'] ?? false))
    return { ...ret, comment: `Job: ${name} would be deleted from schedule.`, result: true };
  const where = await whereIs(ctx, name);
  if (!where) return { ...ret, comment: `Job ${name} does not exist.` };
  const reply = await manage(ctx, { func: 'delete', name, where, persist: where === 'opts' && persistOf(kw) });
  if (!reply) return { ...ret, comment: 'Event module not available. Schedule add failed.' };
  if (reply.complete && isRecord(reply.schedule) && !(name in reply.schedule))
    return { comment: `Deleted Job ${name} from schedule.`, result: true, changes: { [name]: 'removed' } };
  return ret;
}

async function toggleJob(ctx: PluginContext, name: string, kw: Record<string, unknown>, on: boolean): Promise<Result> {
  const ret: Result = { comment: [], result: true, changes: {} };
  if (!name) Object.assign(ret, { comment: 'Job name is required.', result: false });
  const test = on ? ctx.opts.test === true : pyTruthy(kw['test'] ?? false);
  const verb = on ? 'enable' : 'disable';
  if (test) return { ...ret, comment: `Job: ${name} would be ${verb}d in schedule.` };
  const where = await whereIs(ctx, name);
  if (!where) return { ...ret, comment: `Job ${name} does not exist.`, result: false };
  const reply = await manage(ctx, {
    func: on ? 'enable_job' : 'disable_job',
    name,
    where,
    persist: where === 'opts' && persistOf(kw),
  });
  if (!reply) return { ...ret, comment: 'Event module not available. Schedule enable job failed.' };
  const job = isRecord(reply.schedule) ? reply.schedule[name] : undefined;
  if (reply.complete && isRecord(job) && pyTruthy(job['enabled']) === on) {
    const done = on ? 'Enabled' : 'Disabled';
    return { comment: `${done} Job ${name} in schedule.`, result: true, changes: { [name]: `${verb}d` } };
  }
  return { ...ret, comment: `Failed to ${verb} job ${name} in schedule.`, result: false };
}

async function toggleSchedule(ctx: PluginContext, kw: Record<string, unknown>, on: boolean): Promise<Result> {
  const ret: Result = { comment: [], changes: {}, result: true };
  const verb = on ? 'enable' : 'disable';
  if (pyTruthy(kw['test'] ?? false)) return { ...ret, comment: `Schedule would be ${verb}d.` };
  const reply = await manage(ctx, { func: on ? 'enable' : 'disable', persist: persistOf(kw) });
  if (!reply)
    return { ...ret, comment: `Event module not available. Schedule ${on ? 'enable' : 'disable'} job failed.` };
  const enabled = isRecord(reply.schedule) ? reply.schedule['enabled'] : undefined;
  if (reply.complete && enabled !== undefined && pyTruthy(enabled) === on)
    return {
      comment: `${on ? 'Enabled' : 'Disabled'} schedule on minion.`,
      result: true,
      changes: { schedule: `${verb}d` },
    };
  return { ...ret, comment: `Failed to ${verb} schedule on minion.`, result: false };
}

async function runJob(ctx: PluginContext, name: string, force: unknown): Promise<Result> {
  const ret: Result = { comment: [], result: true };
  if (!name) Object.assign(ret, { comment: 'Job name is required.', result: false });
  const job = (await currentSchedule(ctx))[name];
  if (!isRecord(job)) return { ...ret, comment: `Job ${name} does not exist.`, result: false };
  if ('enabled' in job && !pyTruthy(job['enabled']) && !pyTruthy(force))
    return { ...ret, comment: `Job ${name} is disabled.` };
  const reply = await manage(ctx, { func: 'run_job', name });
  if (reply?.complete) return { ...ret, comment: `Scheduling Job ${name} on minion.` };
  return { ...ret, comment: `Failed to run job ${name} on minion.`, result: false };
}

async function purge(ctx: PluginContext, kw: Record<string, unknown>): Promise<Result> {
  const comment: string[] = [];
  const changes: Record<string, unknown> = {};
  for (const name of Object.keys(await currentSchedule(ctx))) {
    if (name === 'enabled' || name.startsWith('__')) continue;
    if (pyTruthy(kw['test'] ?? false)) {
      comment.push(`Job: ${name} would be deleted from schedule.`);
      continue;
    }
    const reply = await manage(ctx, { func: 'delete', name, persist: persistOf(kw) });
    if (reply?.complete && isRecord(reply.schedule) && !(name in reply.schedule)) {
      changes[name] = 'removed';
      comment.push(`Deleted job: ${name} from schedule.`);
    } else {
      comment.push(`Failed to delete job ${name} from schedule.`);
    }
  }
  return { comment, changes, result: true };
}

async function save(ctx: PluginContext, kw: Record<string, unknown>): Promise<Result> {
  if (pyTruthy(kw['test'] ?? false)) return { comment: 'Schedule would be saved.', result: true };
  const reply = await manage(ctx, { func: 'save_schedule' });
  if (!reply) return { comment: 'Event module not available. Schedule save failed.', result: true };
  return reply.complete
    ? { comment: 'Schedule (non-pillar items) saved.', result: true }
    : { comment: 'Failed to save schedule.', result: false };
}

async function nextFireTime(ctx: PluginContext, name: string): Promise<Result> {
  const ret: Result = { result: true };
  if (!name) Object.assign(ret, { comment: 'Job name is required.', result: false });
  const reply = await manage(ctx, { func: 'get_next_fire_time', name });
  if (!reply) return { comment: 'Event module not available. Schedule show next fire time failed.', result: true };
  if (reply.complete && 'next_fire_time' in reply) ret['next_fire_time'] = reply.next_fire_time ?? null;
  else ret['comment'] = 'next fire time not available.';
  return ret;
}

async function jobStatus(ctx: PluginContext, name: string): Promise<Result> {
  const reply = await manage(ctx, { func: 'job_status', name });
  if (!reply) return { comment: 'Event module not available. Schedule list failed.', result: true };
  return isRecord(reply.data) ? reply.data : {};
}

const nameParam = { name: 'name', default: '' };
const str = (v: unknown): string => (typeof v === 'string' ? v : v === null || v === undefined ? '' : pyStr(v));

export default definePlugin<MinionConfig, ModuleServices>({
  name: 'schedule',
  doc: "Module for managing the Salt schedule on a minion\n\nThe minion daemon holds the schedule; these functions ask it (Salt's\n``manage_schedule`` event).",
  functions: {
    list: {
      doc: "List the jobs currently scheduled on the minion\n\nCLI Example:\n\n    salt '*' schedule.list\n\n    # Show all jobs including hidden internal jobs\n    salt '*' schedule.list show_all=True\n\n    # Hide disabled jobs from list of jobs\n    salt '*' schedule.list show_disabled=False",
      params: [
        { name: 'show_all', default: false },
        { name: 'show_disabled', default: true },
        { name: 'where', default: null },
        { name: 'return_yaml', default: true },
        { name: 'offline', default: false },
      ],
      fn: (ctx, a) => listSchedule(ctx, a),
    },
    is_enabled: {
      doc: "List a Job only if its enabled\n\nIf job is not specified, indicate if the scheduler is enabled or disabled.\n\nCLI Example:\n\n    salt '*' schedule.is_enabled name=job_name\n    salt '*' schedule.is_enabled",
      params: [{ name: 'name', default: null }],
      async fn(ctx, a) {
        const got = await listSchedule(ctx, { show_all: false, return_yaml: false });
        const current = isRecord(got) ? got : {};
        if (!a['name']) return current['enabled'] ?? true;
        return current[str(a['name'])] ?? {};
      },
    },
    purge: {
      doc: "Purge all the jobs currently scheduled on the minion\n\nCLI Example:\n\n    salt '*' schedule.purge",
      params: [],
      varkw: true,
      fn: (ctx, a) => purge(ctx, jobKwargs(a)),
    },
    delete: {
      doc: "Delete a job from the minion's schedule\n\nCLI Example:\n\n    salt '*' schedule.delete job1",
      params: ['name'],
      varkw: true,
      fn: (ctx, a) => deleteJob(ctx, str(a['name']), jobKwargs(a)),
    },
    build_schedule_item: {
      doc: "Build a schedule job\n\nCLI Example:\n\n    salt '*' schedule.build_schedule_item job1 function='test.ping' seconds=3600",
      params: ['name'],
      varkw: true,
      fn: (_ctx, a) => buildItem(a['name'], jobKwargs(a)),
    },
    add: {
      doc: "Add a job to the schedule\n\nCLI Example:\n\n    salt '*' schedule.add job1 function='test.ping' seconds=3600\n    # If function have some arguments, use job_args\n    salt '*' schedule.add job2 function='cmd.run' job_args=\"['date >> /tmp/date.log']\" seconds=60",
      params: ['name'],
      varkw: true,
      fn: (ctx, a) => add(ctx, str(a['name']), jobKwargs(a)),
    },
    modify: {
      doc: "Modify an existing job in the schedule\n\nCLI Example:\n\n    salt '*' schedule.modify job1 function='test.ping' seconds=3600",
      params: ['name'],
      varkw: true,
      fn: (ctx, a) => modify(ctx, str(a['name']), jobKwargs(a)),
    },
    run_job: {
      doc: "Run a scheduled job on the minion immediately\n\nCLI Example:\n\n    salt '*' schedule.run_job job1\n\n    salt '*' schedule.run_job job1 force=True\n    Force the job to run even if it is disabled.",
      params: ['name', { name: 'force', default: false }],
      fn: (ctx, a) => runJob(ctx, str(a['name']), a['force']),
    },
    enable_job: {
      doc: "Enable a job in the minion's schedule\n\nCLI Example:\n\n    salt '*' schedule.enable_job job1",
      params: ['name'],
      varkw: true,
      fn: (ctx, a) => toggleJob(ctx, str(a['name']), jobKwargs(a), true),
    },
    disable_job: {
      doc: "Disable a job in the minion's schedule\n\nCLI Example:\n\n    salt '*' schedule.disable_job job1",
      params: ['name'],
      varkw: true,
      fn: (ctx, a) => toggleJob(ctx, str(a['name']), jobKwargs(a), false),
    },
    save: {
      doc: "Save all scheduled jobs on the minion\n\nCLI Example:\n\n    salt '*' schedule.save",
      params: [],
      varkw: true,
      fn: (ctx, a) => save(ctx, jobKwargs(a)),
    },
    enable: {
      doc: "Enable all scheduled jobs on the minion\n\nCLI Example:\n\n    salt '*' schedule.enable",
      params: [],
      varkw: true,
      fn: (ctx, a) => toggleSchedule(ctx, jobKwargs(a), true),
    },
    disable: {
      doc: "Disable all scheduled jobs on the minion\n\nCLI Example:\n\n    salt '*' schedule.disable",
      params: [],
      varkw: true,
      fn: (ctx, a) => toggleSchedule(ctx, jobKwargs(a), false),
    },
    show_next_fire_time: {
      doc: "Show the next fire time for scheduled job\n\nCLI Example:\n\n    salt '*' schedule.show_next_fire_time job_name",
      params: [nameParam],
      varkw: true,
      fn: (ctx, a) => nextFireTime(ctx, str(a['name'])),
    },
    job_status: {
      doc: "Show the information for a particular job.\n\nCLI Example:\n\n    salt '*' schedule.job_status job_name",
      params: ['name', { name: 'time_fmt', default: '%Y-%m-%dT%H:%M:%S' }],
      fn: (ctx, a) => jobStatus(ctx, str(a['name'])),
    },
  },
});
