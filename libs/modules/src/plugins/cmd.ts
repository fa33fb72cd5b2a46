import type { MinionConfig } from '@tsalt/config';
import { definePlugin, pyTruthy } from '@tsalt/loader';
import type { ModuleServices } from '../context.js';
import { cmdParams } from '../cmd-prepare.js';
import { execute } from '../cmd-execute.js';
import { scriptFunctions } from '../cmd-script.js';
import { ModuleError } from '../errors.js';
import { which } from '../which.js';

export type { RunAllResult } from '../cmd-execute.js';

const RUN_ORDER = `cwd stdin runas group shell python_shell env clean_env template rstrip umask output_encoding
  output_loglevel log_callback hide_output timeout reset_system_locale ignore_retcode saltenv use_vt bg password
  encoded_cmd raise_err prepend_path success_retcodes success_stdout success_stderr`;
const SHELL_ORDER = `cwd stdin runas group shell env clean_env template rstrip umask output_encoding output_loglevel
  log_callback hide_output timeout reset_system_locale ignore_retcode saltenv use_vt bg password prepend_path
  success_retcodes success_stdout success_stderr`;
const STDOUT_ORDER = `cwd stdin runas group shell python_shell env clean_env template rstrip umask output_encoding
  output_loglevel log_callback hide_output timeout reset_system_locale ignore_retcode saltenv use_vt password
  prepend_path success_retcodes success_stdout success_stderr`;
const ALL_ORDER = `cwd stdin runas group shell python_shell env clean_env template rstrip umask output_encoding
  output_loglevel log_callback hide_output timeout reset_system_locale ignore_retcode saltenv use_vt redirect_stderr
  password encoded_cmd prepend_path success_retcodes success_stdout success_stderr`;
const RETCODE_ORDER = `cwd stdin runas group shell python_shell env clean_env template umask output_encoding
  output_loglevel log_callback timeout reset_system_locale ignore_retcode saltenv use_vt password success_retcodes
  success_stdout success_stderr`;
const BG_ORDER = `cwd runas group shell python_shell env clean_env template umask timeout output_encoding
  output_loglevel log_callback reset_system_locale ignore_retcode saltenv password prepend_path success_retcodes
  success_stdout success_stderr`;

const COMMON_DOC = `
:param str cmd: The command to run. ex: \`\`ls -lart /home\`\`
:param str cwd: The directory from which to execute the command. Defaults
    to the home directory of the user specified by \`\`runas\`\` (or the user
    under which tsalt is running if \`\`runas\`\` is not specified).
:param str stdin: A string of standard input for the command.
:param str runas: Specify an alternate user to run the command (root only).
:param str group: Group to run command as (root only).
:param str shell: Specify an alternate shell. Defaults to /bin/sh.
:param bool python_shell: If False, split the command into arguments and run
    it without a shell. Defaults to True for a job published from the CLI.
:param dict env: Environment variables to be set prior to execution.
:param bool clean_env: Set only the variables given in \`\`env\`\`.
:param bool rstrip: Strip all whitespace off the end of output.
:param str umask: The umask (in octal) to use when running the command.
:param int timeout: Seconds before the command and its children are killed.
:param bool ignore_retcode: Do not set the job retcode from the exit code.
:param str prepend_path: $PATH segment to prepend to $PATH.
:param list success_retcodes: Non-zero exit codes that count as success.`;

export default definePlugin<MinionConfig, ModuleServices>({
  name: 'cmd',
  doc: 'A module for shelling out. Keep in mind with this module that you are executing commands as the minion user.',
  functions: {
    run: {
      doc: `Execute the passed command and return the output as a string (stderr merged into stdout).\n${COMMON_DOC}\n\nCLI Example:\n\n    salt '*' cmd.run "ls -l | awk '/foo/{print \\$2}'"`,
      params: cmdParams(RUN_ORDER),
      varkw: true,
      fn: async (ctx, a) => {
        const ret = await execute(ctx, a, true);
        if (pyTruthy(a['raise_err']) && !pyTruthy(a['ignore_retcode']) && ret.retcode !== 0 && ret.retcode !== null) {
          throw new ModuleError('CMD_FAILED', ret.stdout);
        }
        return ret.stdout;
      },
    },
    shell: {
      doc: `Execute the passed command through the shell and return the output as a string.\n${COMMON_DOC}\n\nCLI Example:\n\n    salt '*' cmd.shell "ls -l | awk '/foo/{print \\$2}'"`,
      params: cmdParams(SHELL_ORDER),
      varkw: true,
      fn: async (ctx, a) => {
        const kw = (a['__kwargs__'] ?? {}) as Record<string, unknown>;
        const ps = 'python_shell' in kw ? pyTruthy(kw['python_shell']) : true;
        return (await execute(ctx, a, true, ps)).stdout;
      },
    },
    run_stdout: {
      doc: `Execute a command, and only return the standard out.\n${COMMON_DOC}\n\nCLI Example:\n\n    salt '*' cmd.run_stdout "ls -l | awk '/foo/{print \\$2}'"`,
      params: cmdParams(STDOUT_ORDER),
      varkw: true,
      fn: async (ctx, a) => (await execute(ctx, a, false)).stdout,
    },
    run_stderr: {
      doc: `Execute a command and only return the standard error.\n${COMMON_DOC}\n\nCLI Example:\n\n    salt '*' cmd.run_stderr "ls -l | awk '/foo/{print \\$2}'"`,
      params: cmdParams(STDOUT_ORDER),
      varkw: true,
      fn: async (ctx, a) => (await execute(ctx, a, false)).stderr,
    },
    run_all: {
      doc: `Execute the passed command and return a dict of return data: pid, retcode, stdout, stderr.\n${COMMON_DOC}\n:param bool redirect_stderr: Merge stderr into stdout.\n\nCLI Example:\n\n    salt '*' cmd.run_all "ls -l | awk '/foo/{print \\$2}'"`,
      params: cmdParams(ALL_ORDER),
      varkw: true,
      fn: (ctx, a) => execute(ctx, a, Boolean(a['redirect_stderr'])),
    },
    retcode: {
      doc: `Execute a shell command and return the command's return code.\n${COMMON_DOC}\n\nCLI Example:\n\n    salt '*' cmd.retcode "file /bin/bash"`,
      params: cmdParams(RETCODE_ORDER),
      varkw: true,
      fn: async (ctx, a) => (await execute(ctx, a, false)).retcode,
    },
    run_bg: {
      doc: `Execute the passed command in the background and return its pid; its output is discarded.\n${COMMON_DOC}\n\nCLI Example:\n\n    salt '*' cmd.run_bg "fstrim-all"`,
      params: cmdParams(BG_ORDER),
      varkw: true,
      fn: async (ctx, a) => ({ pid: (await execute(ctx, { ...a, bg: true }, false)).pid }),
    },
    which: {
      doc: "Returns the path of an executable available on the minion, None otherwise\n\nCLI Example:\n\n    salt '*' cmd.which cat",
      params: ['cmd'],
      fn: (_ctx, a) => which(String(a['cmd']), process.env['PATH']),
    },
    ...scriptFunctions,
    has_exec: {
      doc: "Returns true if the executable is available on the minion, false otherwise\n\nCLI Example:\n\n    salt '*' cmd.has_exec cat",
      params: ['cmd'],
      fn: (_ctx, a) => which(String(a['cmd']), process.env['PATH']) !== null,
    },
  },
});
