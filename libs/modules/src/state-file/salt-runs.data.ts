/*
 * What Salt 3006.8 returned for these file states (`salt-call --local
 * state.apply`, file_client local, run as root, grains id `peer-1`), with
 * the work directory written WORK. Recorded by applying each spec as an
 * SLS (one id per entry, in order) on a fresh work directory; replayed by
 * salt-runs.test.ts. `skip` names what cannot match: Salt's order from a
 * Python set (recurse comments), a requisite the runner resolves, a Salt
 * traceback.
 */
export interface SaltRunData {
  /** The file_roots: path to text (a trailing '/' and null: an empty directory). */
  srv: Record<string, string | null>;
  /** Named lists of [id, function, kwargs]. */
  specs: Record<string, [string, string, Record<string, unknown>][]>;
  batches: {
    title: string;
    runs: { spec: string; test: boolean; salt: Record<string, Record<string, unknown>> }[];
    skip: Record<string, string[]>;
  }[];
}

export const SALT_RUNS: SaltRunData = {
  srv: {
    motd: 'hello\n',
    'motd-other': 'other\n',
    'site/css/main.css': 'body {}\n',
    'site/empty/': null,
    'site/index.html': '<p>{{ grains.id }}</p>\n',
    't/motd.j2': 'id={{ grains.id }} who={{ who }}\n',
  },
  specs: {
    spec: [
      [
        'm1',
        'managed',
        {
          name: 'WORK/motd',
          source: 'salt://motd',
          mode: '0640',
        },
      ],
      [
        'm2',
        'managed',
        {
          name: 'WORK/motd',
          source: 'salt://motd',
          mode: '0640',
        },
      ],
      [
        'm3',
        'managed',
        {
          name: 'WORK/motd2',
          contents: 'a\nb',
        },
      ],
      [
        'm4',
        'managed',
        {
          name: 'WORK/motd2',
          contents: 'a\nc',
          show_changes: false,
        },
      ],
      [
        'm5',
        'managed',
        {
          name: 'WORK/tmpl',
          source: 'salt://t/motd.j2',
          template: 'jinja',
          defaults: {
            who: 'd',
          },
          context: {
            who: 'c',
          },
        },
      ],
      [
        'm6',
        'managed',
        {
          name: 'WORK/motd',
          replace: false,
          mode: '0600',
        },
      ],
      [
        'm7',
        'managed',
        {
          name: 'WORK/nodir/x',
          source: 'salt://motd',
        },
      ],
      [
        'd1',
        'directory',
        {
          name: 'WORK/d1/',
          dir_mode: '0750',
        },
      ],
      [
        'd2',
        'directory',
        {
          name: 'WORK/d1',
          dir_mode: '0755',
          file_mode: '0644',
          recurse: ['mode'],
        },
      ],
      [
        'd3',
        'directory',
        {
          name: 'WORK/d3/sub',
          makedirs: true,
        },
      ],
      [
        'a1',
        'append',
        {
          name: 'WORK/motd2',
          text: ['x y', 'z'],
        },
      ],
      [
        'a2',
        'append',
        {
          name: 'WORK/motd2',
          text: ['x   y', 'z'],
        },
      ],
      [
        'p1',
        'prepend',
        {
          name: 'WORK/motd2',
          text: '# top',
        },
      ],
      [
        'l1',
        'line',
        {
          name: 'WORK/motd2',
          content: 'after-a',
          after: '^a$',
          mode: 'ensure',
        },
      ],
      [
        'r1',
        'replace',
        {
          name: 'WORK/motd2',
          pattern: '^z$',
          repl: 'zz',
        },
      ],
      [
        'b1',
        'blockreplace',
        {
          name: 'WORK/motd2',
          content: 'in block',
          append_if_not_found: true,
        },
      ],
      [
        'c1',
        'comment',
        {
          name: 'WORK/motd2',
          regex: '^zz',
        },
      ],
      [
        'c2',
        'uncomment',
        {
          name: 'WORK/motd2',
          regex: 'zz',
        },
      ],
      [
        's1',
        'symlink',
        {
          name: 'WORK/link',
          target: 'WORK/motd',
        },
      ],
      [
        's2',
        'symlink',
        {
          name: 'WORK/link',
          target: 'WORK/motd',
        },
      ],
      [
        't1',
        'touch',
        {
          name: 'WORK/touched',
        },
      ],
      [
        'cp1',
        'copy',
        {
          name: 'WORK/copied',
          source: 'WORK/motd',
        },
      ],
      [
        'cp2',
        'copy',
        {
          name: 'WORK/copied',
          source: 'WORK/motd',
        },
      ],
      [
        'rc1',
        'recurse',
        {
          name: 'WORK/www',
          source: 'salt://site',
          include_empty: true,
        },
      ],
      [
        'rc2',
        'recurse',
        {
          name: 'WORK/www',
          source: 'salt://site',
          include_empty: true,
          clean: true,
        },
      ],
      [
        'ab1',
        'absent',
        {
          name: 'WORK/touched',
        },
      ],
      [
        'ab2',
        'absent',
        {
          name: 'WORK/touched',
        },
      ],
    ],
    'spec-setup': [
      [
        's_f1',
        'managed',
        {
          name: 'WORK/f1',
          contents: 'one\ntwo\nthree',
        },
      ],
      [
        's_f2',
        'managed',
        {
          name: 'WORK/f2',
          contents: '#foo=1\nbar=2\n# start\nold\n# end',
        },
      ],
      [
        's_dir',
        'directory',
        {
          name: 'WORK/cd',
        },
      ],
      [
        's_j1',
        'managed',
        {
          name: 'WORK/cd/keep',
          contents: 'k',
        },
      ],
      [
        's_j2',
        'managed',
        {
          name: 'WORK/cd/junk',
          contents: 'j',
        },
      ],
      [
        's_j3',
        'directory',
        {
          name: 'WORK/cd/jdir/sub',
          makedirs: true,
        },
      ],
      [
        's_t',
        'managed',
        {
          name: 'WORK/tgt',
          contents: 't',
        },
      ],
      [
        's_l',
        'symlink',
        {
          name: 'WORK/lnk',
          target: 'WORK/tgt',
        },
      ],
      [
        's_pf',
        'managed',
        {
          name: 'WORK/plainf',
          contents: 'p',
        },
      ],
      [
        's_m',
        'managed',
        {
          name: 'WORK/modef',
          contents: 'm',
          mode: '0600',
        },
      ],
      [
        's_w',
        'recurse',
        {
          name: 'WORK/www',
          source: 'salt://site',
        },
      ],
      [
        's_ws',
        'managed',
        {
          name: 'WORK/www/stale',
          contents: 's',
        },
      ],
    ],
    'spec-probe': [
      [
        'p_m1',
        'managed',
        {
          name: 'WORK/f1',
          source: 'salt://motd',
        },
      ],
      [
        'p_m2',
        'managed',
        {
          name: 'WORK/f1x',
          contents_pillar: 'no:such',
        },
      ],
      [
        'p_m3',
        'managed',
        {
          name: 'WORK/f1y',
          source: ['salt://nope', 'salt://motd-other'],
        },
      ],
      [
        'p_m4',
        'managed',
        {
          name: 'WORK/modef',
          replace: false,
          mode: '0644',
        },
      ],
      [
        'p_m5',
        'managed',
        {
          name: 'WORK/nothere',
          source: 'salt://motd',
          create: false,
        },
      ],
      [
        'p_m6',
        'managed',
        {
          name: 'WORK/userx',
          source: 'salt://motd',
          user: 'nosuchuserzz',
        },
      ],
      [
        'p_m7',
        'managed',
        {
          name: 'WORK/cd',
          source: 'salt://motd',
        },
      ],
      [
        'p_d1',
        'directory',
        {
          name: 'WORK/cd',
          clean: true,
          require: [
            {
              file: 'WORK/cd/keep',
            },
          ],
        },
      ],
      [
        'p_d2',
        'directory',
        {
          name: 'WORK/modedir',
          dir_mode: '0700',
        },
      ],
      [
        'p_sl1',
        'symlink',
        {
          name: 'WORK/lnk',
          target: 'WORK/f1',
        },
      ],
      [
        'p_sl2',
        'symlink',
        {
          name: 'WORK/plainf',
          target: 'WORK/f1',
        },
      ],
      [
        'p_sl3',
        'symlink',
        {
          name: 'WORK/plainf',
          target: 'WORK/f1',
          force: true,
        },
      ],
      [
        'p_ln',
        'line',
        {
          name: 'WORK/f1',
          content: '2.5',
          after: 'two',
          mode: 'ensure',
        },
      ],
      [
        'p_rp',
        'replace',
        {
          name: 'WORK/f2',
          pattern: 'bar=2',
          repl: 'bar=3',
        },
      ],
      [
        'p_br',
        'blockreplace',
        {
          name: 'WORK/f2',
          marker_start: '# start',
          marker_end: '# end',
          content: 'new',
        },
      ],
      [
        'p_ap',
        'append',
        {
          name: 'WORK/f2',
          text: 'appended line',
        },
      ],
      [
        'p_pp',
        'prepend',
        {
          name: 'WORK/f2',
          text: ['# p1', '# p2'],
        },
      ],
      [
        'p_cm',
        'comment',
        {
          name: 'WORK/f2',
          regex: 'bar',
        },
      ],
      [
        'p_uc',
        'uncomment',
        {
          name: 'WORK/f2',
          regex: 'foo',
        },
      ],
      [
        'p_tc',
        'touch',
        {
          name: 'WORK/f2',
        },
      ],
      [
        'p_cp',
        'copy',
        {
          name: 'WORK/f2',
          source: 'WORK/tgt',
          force: true,
        },
      ],
      [
        'p_ab',
        'absent',
        {
          name: 'WORK/cd',
        },
      ],
      [
        'p_rc',
        'recurse',
        {
          name: 'WORK/www',
          source: 'salt://site',
          clean: true,
        },
      ],
      [
        'p_dbad',
        'directory',
        {
          name: 'WORK/rd',
          recurse: ['bogus'],
        },
      ],
    ],
    'spec-setup3': [
      [
        's3_a',
        'managed',
        {
          name: 'WORK/c1',
          contents: 'one\ntwo',
        },
      ],
      [
        's3_b',
        'managed',
        {
          name: 'WORK/tm',
          source: 'salt://t/motd.j2',
          template: 'jinja',
          context: {
            who: 'x',
          },
        },
      ],
      [
        's3_c',
        'managed',
        {
          name: 'WORK/blockf',
          contents: 'top',
        },
      ],
      [
        's3_d',
        'directory',
        {
          name: 'WORK/rd/a/b',
          makedirs: true,
        },
      ],
      [
        's3_e',
        'managed',
        {
          name: 'WORK/rd/a/f',
          contents: 'f',
          mode: '0600',
        },
      ],
      [
        's3_f',
        'managed',
        {
          name: 'WORK/inway',
          contents: 'w',
        },
      ],
      [
        's3_g',
        'managed',
        {
          name: 'WORK/inway2',
          contents: 'w',
        },
      ],
      [
        's3_h',
        'recurse',
        {
          name: 'WORK/www3',
          source: 'salt://site',
        },
      ],
      [
        's3_i',
        'managed',
        {
          name: 'WORK/www3/stale',
          contents: 's',
        },
      ],
      [
        's3_j',
        'symlink',
        {
          name: 'WORK/alink',
          target: 'WORK/c1',
        },
      ],
      [
        's3_k',
        'managed',
        {
          name: 'WORK/cmt',
          contents: '#x=1\ny=2',
        },
      ],
    ],
    'spec-probe3': [
      [
        'q_m1',
        'managed',
        {
          name: 'WORK/c1',
          contents: 'one\nthree',
        },
      ],
      [
        'q_m2',
        'managed',
        {
          name: 'WORK/tm',
          source: 'salt://t/motd.j2',
          template: 'jinja',
          context: {
            who: 'y',
          },
        },
      ],
      [
        'q_m3',
        'managed',
        {
          name: 'WORK/g',
          contents_grains: 'id',
        },
      ],
      [
        'q_m4',
        'managed',
        {
          name: 'WORK/mk/deep/f',
          source: 'salt://motd',
          makedirs: true,
          mode: '0640',
        },
      ],
      [
        'q_d1',
        'directory',
        {
          name: 'WORK/rd',
          recurse: ['user', 'group', 'mode'],
          user: 'root',
          group: 'root',
          dir_mode: '0755',
          file_mode: '0644',
        },
      ],
      [
        'q_d2',
        'directory',
        {
          name: 'WORK/rd',
          children_only: true,
          recurse: ['mode'],
          dir_mode: '0700',
          file_mode: '0600',
        },
      ],
      [
        'q_d3',
        'directory',
        {
          name: 'WORK/inway',
          backupname: 'WORK/inway.bak',
        },
      ],
      [
        'q_s1',
        'symlink',
        {
          name: 'WORK/inway2',
          target: 'WORK/c1',
          backupname: 'inway2.old',
        },
      ],
      [
        'q_s2',
        'symlink',
        {
          name: 'WORK/nod/l',
          target: 'WORK/c1',
          makedirs: true,
        },
      ],
      [
        'q_rc',
        'recurse',
        {
          name: 'WORK/www3',
          source: 'salt://site',
          clean: true,
        },
      ],
      [
        'q_cp',
        'copy',
        {
          name: 'WORK/cpd/x/y',
          source: 'WORK/c1',
          makedirs: true,
          mode: '0640',
        },
      ],
      [
        'q_ap',
        'append',
        {
          name: 'WORK/newap',
          text: 'x',
        },
      ],
      [
        'q_br',
        'blockreplace',
        {
          name: 'WORK/blockf',
          content: 'b1\nb2',
          prepend_if_not_found: true,
        },
      ],
      [
        'q_cm',
        'comment',
        {
          name: 'WORK/cmt',
          regex: '^x=1',
        },
      ],
      [
        'q_tc',
        'touch',
        {
          name: 'WORK/c1',
        },
      ],
      [
        'q_ld',
        'line',
        {
          name: 'WORK/cmt',
          match: 'y=2',
          mode: 'delete',
        },
      ],
      [
        'q_rp',
        'replace',
        {
          name: 'WORK/cmt',
          pattern: '^z=.*',
          repl: 'z=9',
          append_if_not_found: true,
        },
      ],
      [
        'q_ab',
        'absent',
        {
          name: 'WORK/alink',
        },
      ],
      [
        'q_pp',
        'prepend',
        {
          name: 'WORK/blockf',
          text: 'first',
          header: true,
        },
      ],
    ],
    'spec-setup4': [
      [
        'h_t',
        'managed',
        {
          name: 'WORK/hlt',
          contents: 'x',
        },
      ],
      [
        'h_p',
        'managed',
        {
          name: 'WORK/hlp',
          contents: 'p',
        },
      ],
    ],
    'spec-probe4': [
      [
        'h1',
        'hardlink',
        {
          name: 'WORK/hl',
          target: 'WORK/hlt',
        },
      ],
      [
        'h2',
        'hardlink',
        {
          name: 'WORK/hl',
          target: 'WORK/hlt',
        },
      ],
      [
        'h3',
        'hardlink',
        {
          name: 'WORK/hlp',
          target: 'WORK/hlt',
        },
      ],
      [
        'h4',
        'hardlink',
        {
          name: 'WORK/hlp',
          target: 'WORK/hlt',
          force: true,
        },
      ],
      [
        'h5',
        'hardlink',
        {
          name: 'WORK/x/y',
          target: 'WORK/hlt',
        },
      ],
      [
        'h6',
        'hardlink',
        {
          name: 'WORK/hl2',
          target: 'WORK',
        },
      ],
      [
        'h7',
        'exists',
        {
          name: 'WORK/hl',
        },
      ],
      [
        'h8',
        'missing',
        {
          name: 'WORK/hl',
        },
      ],
      [
        'h9',
        'rename',
        {
          name: 'WORK/hl3',
          source: 'WORK/hl',
        },
      ],
    ],
  },
  batches: [
    {
      title: 'fresh files: test mode, a first run, a second run',
      runs: [
        {
          spec: 'spec',
          test: true,
          salt: {
            m1: {
              name: 'WORK/motd',
              result: null,
              comment:
                'The file WORK/motd is set to be changed\nNote: No changes made, actual changes may\nbe different due to other states.',
              changes: {
                newfile: 'WORK/motd',
              },
            },
            m2: {
              name: 'WORK/motd',
              result: null,
              comment:
                'The file WORK/motd is set to be changed\nNote: No changes made, actual changes may\nbe different due to other states.',
              changes: {
                newfile: 'WORK/motd',
              },
            },
            m3: {
              name: 'WORK/motd2',
              result: null,
              comment:
                'The file WORK/motd2 is set to be changed\nNote: No changes made, actual changes may\nbe different due to other states.',
              changes: {
                newfile: 'WORK/motd2',
              },
            },
            m4: {
              name: 'WORK/motd2',
              result: null,
              comment:
                'The file WORK/motd2 is set to be changed\nNote: No changes made, actual changes may\nbe different due to other states.',
              changes: {
                newfile: 'WORK/motd2',
              },
            },
            m5: {
              name: 'WORK/tmpl',
              result: null,
              comment:
                'The file WORK/tmpl is set to be changed\nNote: No changes made, actual changes may\nbe different due to other states.',
              changes: {
                newfile: 'WORK/tmpl',
              },
            },
            m6: {
              name: 'WORK/motd',
              result: null,
              comment:
                'The file WORK/motd is set to be changed\nNote: No changes made, actual changes may\nbe different due to other states.',
              changes: {
                newfile: 'WORK/motd',
              },
            },
            m7: {
              name: 'WORK/nodir/x',
              result: null,
              comment:
                'The file WORK/nodir/x is set to be changed\nNote: No changes made, actual changes may\nbe different due to other states.',
              changes: {
                newfile: 'WORK/nodir/x',
              },
            },
            d1: {
              name: 'WORK/d1/',
              result: null,
              comment: 'The following files will be changed:\nWORK/d1: directory - new\n',
              changes: {
                'WORK/d1': {
                  directory: 'new',
                },
              },
            },
            d2: {
              name: 'WORK/d1',
              result: null,
              comment: 'The following files will be changed:\nWORK/d1: directory - new\n',
              changes: {
                'WORK/d1': {
                  directory: 'new',
                },
              },
            },
            d3: {
              name: 'WORK/d3/sub',
              result: null,
              comment: 'The following files will be changed:\nWORK/d3/sub: directory - new\n',
              changes: {
                'WORK/d3/sub': {
                  directory: 'new',
                },
              },
            },
            a1: {
              name: 'WORK/motd2',
              result: null,
              comment: 'File WORK/motd2 is set to be created',
              changes: {
                new: 'WORK/motd2',
              },
            },
            a2: {
              name: 'WORK/motd2',
              result: null,
              comment: 'File WORK/motd2 is set to be created',
              changes: {
                new: 'WORK/motd2',
              },
            },
            p1: {
              name: 'WORK/motd2',
              result: null,
              comment: 'File WORK/motd2 is set to be created',
              changes: {
                new: 'WORK/motd2',
              },
            },
            l1: {
              name: 'WORK/motd2',
              result: false,
              comment: 'WORK/motd2: file not found',
              changes: {},
            },
            r1: {
              name: 'WORK/motd2',
              result: false,
              comment: 'WORK/motd2: file not found',
              changes: {},
            },
            b1: {
              name: 'WORK/motd2',
              result: false,
              comment: 'WORK/motd2: file not found',
              changes: {},
            },
            c1: {
              name: 'WORK/motd2',
              result: false,
              comment: 'WORK/motd2: file not found',
              changes: {},
            },
            c2: {
              name: 'WORK/motd2',
              result: false,
              comment: 'WORK/motd2: file not found',
              changes: {},
            },
            s1: {
              name: 'WORK/link',
              result: null,
              comment: 'Symlink WORK/link to WORK/motd is set for creation',
              changes: {
                new: 'WORK/link',
              },
            },
            s2: {
              name: 'WORK/link',
              result: null,
              comment: 'Symlink WORK/link to WORK/motd is set for creation',
              changes: {
                new: 'WORK/link',
              },
            },
            t1: {
              name: 'WORK/touched',
              result: null,
              comment: 'File WORK/touched is set to be created',
              changes: {
                new: 'WORK/touched',
              },
            },
            cp1: {
              name: 'WORK/copied',
              result: false,
              comment: 'Source file "WORK/motd" is not present',
              changes: {},
            },
            cp2: {
              name: 'WORK/copied',
              result: false,
              comment: 'Source file "WORK/motd" is not present',
              changes: {},
            },
            rc1: {
              name: 'WORK/www',
              result: null,
              comment:
                '#### WORK/www/. ####\nThe following files will be changed:\nWORK/www/.: directory - new\n\n\n#### WORK/www ####\nThe following files will be changed:\nWORK/www: directory - new\n\n\n#### WORK/www/css ####\nThe following files will be changed:\nWORK/www/css: directory - new\n\n\n#### WORK/www/empty ####\nThe following files will be changed:\nWORK/www/empty: directory - new\n\n\n#### WORK/www/css/main.css ####\nThe file WORK/www/css/main.css is set to be changed\nNote: No changes made, actual changes may\nbe different due to other states.\n\n#### WORK/www/index.html ####\nThe file WORK/www/index.html is set to be changed\nNote: No changes made, actual changes may\nbe different due to other states.',
              changes: {
                'WORK/www/.': {
                  'WORK/www/.': {
                    directory: 'new',
                  },
                },
                'WORK/www': {
                  'WORK/www': {
                    directory: 'new',
                  },
                },
                'WORK/www/css': {
                  'WORK/www/css': {
                    directory: 'new',
                  },
                },
                'WORK/www/empty': {
                  'WORK/www/empty': {
                    directory: 'new',
                  },
                },
                'WORK/www/css/main.css': {
                  newfile: 'WORK/www/css/main.css',
                },
                'WORK/www/index.html': {
                  newfile: 'WORK/www/index.html',
                },
              },
            },
            rc2: {
              name: 'WORK/www',
              result: null,
              comment:
                '#### WORK/www/. ####\nThe following files will be changed:\nWORK/www/.: directory - new\n\n\n#### WORK/www ####\nThe following files will be changed:\nWORK/www: directory - new\n\n\n#### WORK/www/css ####\nThe following files will be changed:\nWORK/www/css: directory - new\n\n\n#### WORK/www/empty ####\nThe following files will be changed:\nWORK/www/empty: directory - new\n\n\n#### WORK/www/css/main.css ####\nThe file WORK/www/css/main.css is set to be changed\nNote: No changes made, actual changes may\nbe different due to other states.\n\n#### WORK/www/index.html ####\nThe file WORK/www/index.html is set to be changed\nNote: No changes made, actual changes may\nbe different due to other states.',
              changes: {
                'WORK/www/.': {
                  'WORK/www/.': {
                    directory: 'new',
                  },
                },
                'WORK/www': {
                  'WORK/www': {
                    directory: 'new',
                  },
                },
                'WORK/www/css': {
                  'WORK/www/css': {
                    directory: 'new',
                  },
                },
                'WORK/www/empty': {
                  'WORK/www/empty': {
                    directory: 'new',
                  },
                },
                'WORK/www/css/main.css': {
                  newfile: 'WORK/www/css/main.css',
                },
                'WORK/www/index.html': {
                  newfile: 'WORK/www/index.html',
                },
              },
            },
            ab1: {
              name: 'WORK/touched',
              result: true,
              comment: 'File WORK/touched is not present',
              changes: {},
            },
            ab2: {
              name: 'WORK/touched',
              result: true,
              comment: 'File WORK/touched is not present',
              changes: {},
            },
          },
        },
        {
          spec: 'spec',
          test: false,
          salt: {
            m1: {
              name: 'WORK/motd',
              result: true,
              comment: 'File WORK/motd updated',
              changes: {
                diff: 'New file',
                mode: '0640',
              },
            },
            m2: {
              name: 'WORK/motd',
              result: true,
              comment: 'File WORK/motd is in the correct state',
              changes: {},
            },
            m3: {
              name: 'WORK/motd2',
              result: true,
              comment: 'File WORK/motd2 updated',
              changes: {
                diff: 'New file',
              },
            },
            m4: {
              name: 'WORK/motd2',
              result: true,
              comment: 'File WORK/motd2 updated',
              changes: {
                diff: '<show_changes=False>',
              },
            },
            m5: {
              name: 'WORK/tmpl',
              result: true,
              comment: 'File WORK/tmpl updated',
              changes: {
                diff: 'New file',
                mode: '0644',
              },
            },
            m6: {
              name: 'WORK/motd',
              result: true,
              comment: '',
              changes: {
                mode: '0600',
              },
            },
            m7: {
              name: 'WORK/nodir/x',
              result: false,
              comment: 'Parent directory not present',
              changes: {},
            },
            d1: {
              name: 'WORK/d1/',
              result: true,
              comment: '',
              changes: {
                'WORK/d1': {
                  directory: 'new',
                },
              },
            },
            d2: {
              name: 'WORK/d1',
              result: true,
              comment: 'Directory WORK/d1 updated',
              changes: {
                'WORK/d1': {
                  mode: '0755',
                },
                mode: '0755',
              },
            },
            d3: {
              name: 'WORK/d3/sub',
              result: true,
              comment: '',
              changes: {
                'WORK/d3/sub': {
                  directory: 'new',
                },
              },
            },
            a1: {
              name: 'WORK/motd2',
              result: true,
              comment: 'Appended 2 lines',
              changes: {
                diff: '--- \n\n+++ \n\n@@ -1,2 +1,4 @@\n\n a\n c\n+x y\n+z',
              },
            },
            a2: {
              name: 'WORK/motd2',
              result: true,
              comment: 'File WORK/motd2 is in correct state',
              changes: {},
            },
            p1: {
              name: 'WORK/motd2',
              result: true,
              comment: 'Prepended 1 lines',
              changes: {
                diff: '--- \n+++ \n@@ -1,3 +1,4 @@\n+# top\n a\n c\n x y\n',
              },
            },
            l1: {
              name: 'WORK/motd2',
              result: true,
              comment: 'Changes were made',
              changes: {
                diff: '--- \n+++ \n@@ -1,5 +1,6 @@\n # top\n a\n+after-a\n c\n x y\n z\n',
              },
            },
            r1: {
              name: 'WORK/motd2',
              result: true,
              comment: 'Changes were made',
              changes: {
                diff: '--- \n+++ \n@@ -3,4 +3,4 @@\n after-a\n c\n x y\n-z\n+zz\n',
              },
            },
            b1: {
              name: 'WORK/motd2',
              result: true,
              comment: 'Changes were made',
              changes: {
                diff: '--- \n+++ \n@@ -4,3 +4,6 @@\n c\n x y\n zz\n+#-- start managed zone --\n+in block\n+#-- end managed zone --\n',
              },
            },
            c1: {
              name: 'WORK/motd2',
              result: true,
              comment: 'Commented lines successfully',
              changes: {
                diff: '--- \n+++ \n@@ -3,7 +3,7 @@\n after-a\n c\n x y\n-zz\n+#zz\n #-- start managed zone --\n in block\n #-- end managed zone --\n',
              },
            },
            c2: {
              name: 'WORK/motd2',
              result: true,
              comment: 'Uncommented lines successfully',
              changes: {
                diff: '--- \n+++ \n@@ -3,7 +3,7 @@\n after-a\n c\n x y\n-#zz\n+zz\n #-- start managed zone --\n in block\n #-- end managed zone --\n',
              },
            },
            s1: {
              name: 'WORK/link',
              result: true,
              comment: 'Created new symlink WORK/link -> WORK/motd',
              changes: {
                new: 'WORK/link',
              },
            },
            s2: {
              name: 'WORK/link',
              result: true,
              comment: 'Symlink WORK/link is present and owned by root:root',
              changes: {},
            },
            t1: {
              name: 'WORK/touched',
              result: true,
              comment: 'Created empty file WORK/touched',
              changes: {
                new: 'WORK/touched',
              },
            },
            cp1: {
              name: 'WORK/copied',
              result: true,
              comment: 'Copied "WORK/motd" to "WORK/copied"',
              changes: {
                'WORK/copied': 'WORK/motd',
              },
            },
            cp2: {
              name: 'WORK/copied',
              result: true,
              comment: 'The target file "WORK/copied" exists and will not be overwritten',
              changes: {},
            },
            rc1: {
              name: 'WORK/www',
              result: true,
              comment: 'Recursively updated WORK/www',
              changes: {
                'WORK/www/empty': {
                  'WORK/www/empty': {
                    directory: 'new',
                  },
                },
                'WORK/www/css': {
                  'WORK/www/css': {
                    directory: 'new',
                  },
                },
                'WORK/www/index.html': {
                  diff: 'New file',
                  mode: '0644',
                },
                'WORK/www/css/main.css': {
                  diff: 'New file',
                  mode: '0644',
                },
              },
            },
            rc2: {
              name: 'WORK/www',
              result: true,
              comment: 'The directory WORK/www is in the correct state',
              changes: {},
            },
            ab1: {
              name: 'WORK/touched',
              result: true,
              comment: 'Removed file WORK/touched',
              changes: {
                removed: 'WORK/touched',
              },
            },
            ab2: {
              name: 'WORK/touched',
              result: true,
              comment: 'File WORK/touched is not present',
              changes: {},
            },
          },
        },
        {
          spec: 'spec',
          test: false,
          salt: {
            m1: {
              name: 'WORK/motd',
              result: true,
              comment: 'File WORK/motd updated',
              changes: {
                mode: '0640',
              },
            },
            m2: {
              name: 'WORK/motd',
              result: true,
              comment: 'File WORK/motd is in the correct state',
              changes: {},
            },
            m3: {
              name: 'WORK/motd2',
              result: true,
              comment: 'File WORK/motd2 updated',
              changes: {
                diff: '--- \n+++ \n@@ -1,9 +1,2 @@\n-# top\n a\n-after-a\n-c\n-x y\n-zz\n-#-- start managed zone --\n-in block\n-#-- end managed zone --\n+b\n',
              },
            },
            m4: {
              name: 'WORK/motd2',
              result: true,
              comment: 'File WORK/motd2 updated',
              changes: {
                diff: '<show_changes=False>',
              },
            },
            m5: {
              name: 'WORK/tmpl',
              result: true,
              comment: 'File WORK/tmpl is in the correct state',
              changes: {},
            },
            m6: {
              name: 'WORK/motd',
              result: true,
              comment: '',
              changes: {
                mode: '0600',
              },
            },
            m7: {
              name: 'WORK/nodir/x',
              result: false,
              comment: 'Parent directory not present',
              changes: {},
            },
            d1: {
              name: 'WORK/d1/',
              result: true,
              comment: 'Directory WORK/d1 updated',
              changes: {
                'WORK/d1': {
                  mode: '0750',
                },
                mode: '0750',
              },
            },
            d2: {
              name: 'WORK/d1',
              result: true,
              comment: 'Directory WORK/d1 updated',
              changes: {
                'WORK/d1': {
                  mode: '0755',
                },
                mode: '0755',
              },
            },
            d3: {
              name: 'WORK/d3/sub',
              result: true,
              comment: 'The directory WORK/d3/sub is in the correct state',
              changes: {},
            },
            a1: {
              name: 'WORK/motd2',
              result: true,
              comment: 'Appended 2 lines',
              changes: {
                diff: '--- \n\n+++ \n\n@@ -1,2 +1,4 @@\n\n a\n c\n+x y\n+z',
              },
            },
            a2: {
              name: 'WORK/motd2',
              result: true,
              comment: 'File WORK/motd2 is in correct state',
              changes: {},
            },
            p1: {
              name: 'WORK/motd2',
              result: true,
              comment: 'Prepended 1 lines',
              changes: {
                diff: '--- \n+++ \n@@ -1,3 +1,4 @@\n+# top\n a\n c\n x y\n',
              },
            },
            l1: {
              name: 'WORK/motd2',
              result: true,
              comment: 'Changes were made',
              changes: {
                diff: '--- \n+++ \n@@ -1,5 +1,6 @@\n # top\n a\n+after-a\n c\n x y\n z\n',
              },
            },
            r1: {
              name: 'WORK/motd2',
              result: true,
              comment: 'Changes were made',
              changes: {
                diff: '--- \n+++ \n@@ -3,4 +3,4 @@\n after-a\n c\n x y\n-z\n+zz\n',
              },
            },
            b1: {
              name: 'WORK/motd2',
              result: true,
              comment: 'Changes were made',
              changes: {
                diff: '--- \n+++ \n@@ -4,3 +4,6 @@\n c\n x y\n zz\n+#-- start managed zone --\n+in block\n+#-- end managed zone --\n',
              },
            },
            c1: {
              name: 'WORK/motd2',
              result: true,
              comment: 'Commented lines successfully',
              changes: {
                diff: '--- \n+++ \n@@ -3,7 +3,7 @@\n after-a\n c\n x y\n-zz\n+#zz\n #-- start managed zone --\n in block\n #-- end managed zone --\n',
              },
            },
            c2: {
              name: 'WORK/motd2',
              result: true,
              comment: 'Uncommented lines successfully',
              changes: {
                diff: '--- \n+++ \n@@ -3,7 +3,7 @@\n after-a\n c\n x y\n-#zz\n+zz\n #-- start managed zone --\n in block\n #-- end managed zone --\n',
              },
            },
            s1: {
              name: 'WORK/link',
              result: true,
              comment: 'Symlink WORK/link is present and owned by root:root',
              changes: {},
            },
            s2: {
              name: 'WORK/link',
              result: true,
              comment: 'Symlink WORK/link is present and owned by root:root',
              changes: {},
            },
            t1: {
              name: 'WORK/touched',
              result: true,
              comment: 'Created empty file WORK/touched',
              changes: {
                new: 'WORK/touched',
              },
            },
            cp1: {
              name: 'WORK/copied',
              result: true,
              comment: 'The target file "WORK/copied" exists and will not be overwritten',
              changes: {},
            },
            cp2: {
              name: 'WORK/copied',
              result: true,
              comment: 'The target file "WORK/copied" exists and will not be overwritten',
              changes: {},
            },
            rc1: {
              name: 'WORK/www',
              result: true,
              comment: 'The directory WORK/www is in the correct state',
              changes: {},
            },
            rc2: {
              name: 'WORK/www',
              result: true,
              comment: 'The directory WORK/www is in the correct state',
              changes: {},
            },
            ab1: {
              name: 'WORK/touched',
              result: true,
              comment: 'Removed file WORK/touched',
              changes: {
                removed: 'WORK/touched',
              },
            },
            ab2: {
              name: 'WORK/touched',
              result: true,
              comment: 'File WORK/touched is not present',
              changes: {},
            },
          },
        },
      ],
      skip: {
        rc1: ['comment'],
        rc2: ['comment'],
      },
    },
    {
      title: 'existing files: test mode, then a run',
      runs: [
        {
          spec: 'spec-setup',
          test: false,
          salt: {
            s_f1: {
              name: 'WORK/f1',
              result: true,
              comment: 'File WORK/f1 updated',
              changes: {
                diff: 'New file',
              },
            },
            s_f2: {
              name: 'WORK/f2',
              result: true,
              comment: 'File WORK/f2 updated',
              changes: {
                diff: 'New file',
              },
            },
            s_dir: {
              name: 'WORK/cd',
              result: true,
              comment: '',
              changes: {
                'WORK/cd': {
                  directory: 'new',
                },
              },
            },
            s_j1: {
              name: 'WORK/cd/keep',
              result: true,
              comment: 'File WORK/cd/keep updated',
              changes: {
                diff: 'New file',
              },
            },
            s_j2: {
              name: 'WORK/cd/junk',
              result: true,
              comment: 'File WORK/cd/junk updated',
              changes: {
                diff: 'New file',
              },
            },
            s_j3: {
              name: 'WORK/cd/jdir/sub',
              result: true,
              comment: '',
              changes: {
                'WORK/cd/jdir/sub': {
                  directory: 'new',
                },
              },
            },
            s_t: {
              name: 'WORK/tgt',
              result: true,
              comment: 'File WORK/tgt updated',
              changes: {
                diff: 'New file',
              },
            },
            s_l: {
              name: 'WORK/lnk',
              result: true,
              comment: 'Created new symlink WORK/lnk -> WORK/tgt',
              changes: {
                new: 'WORK/lnk',
              },
            },
            s_pf: {
              name: 'WORK/plainf',
              result: true,
              comment: 'File WORK/plainf updated',
              changes: {
                diff: 'New file',
              },
            },
            s_m: {
              name: 'WORK/modef',
              result: true,
              comment: 'File WORK/modef updated',
              changes: {
                diff: 'New file',
              },
            },
            s_w: {
              name: 'WORK/www',
              result: true,
              comment: 'Recursively updated WORK/www',
              changes: {
                'WORK/www/css': {
                  'WORK/www/css': {
                    directory: 'new',
                  },
                },
                'WORK/www/css/main.css': {
                  diff: 'New file',
                  mode: '0644',
                },
                'WORK/www/index.html': {
                  diff: 'New file',
                  mode: '0644',
                },
              },
            },
            s_ws: {
              name: 'WORK/www/stale',
              result: true,
              comment: 'File WORK/www/stale updated',
              changes: {
                diff: 'New file',
              },
            },
          },
        },
        {
          spec: 'spec-probe',
          test: true,
          salt: {
            p_m1: {
              name: 'WORK/f1',
              result: null,
              comment:
                'The file WORK/f1 is set to be changed\nNote: No changes made, actual changes may\nbe different due to other states.',
              changes: {
                diff: '--- \n+++ \n@@ -1,3 +1 @@\n-one\n-two\n-three\n+hello\n',
              },
            },
            p_m2: {
              name: 'WORK/f1x',
              result: false,
              comment: 'Pillar no:such does not exist',
              changes: {},
            },
            p_m3: {
              name: 'WORK/f1y',
              result: null,
              comment:
                'The file WORK/f1y is set to be changed\nNote: No changes made, actual changes may\nbe different due to other states.',
              changes: {
                newfile: 'WORK/f1y',
              },
            },
            p_m4: {
              name: 'WORK/modef',
              result: null,
              comment: 'File WORK/modef will be updated with permissions 0644 from its current state of 0600',
              changes: {
                mode: '0644',
              },
            },
            p_m5: {
              name: 'WORK/nothere',
              result: true,
              comment: 'File WORK/nothere is not present and is not set for creation',
              changes: {},
            },
            p_m6: {
              name: 'WORK/userx',
              result: null,
              comment:
                'The file WORK/userx is set to be changed\nNote: No changes made, actual changes may\nbe different due to other states.',
              changes: {
                newfile: 'WORK/userx',
              },
            },
            p_m7: {
              name: 'WORK/cd',
              result: false,
              comment: 'Specified target WORK/cd is a directory',
              changes: {},
            },
            p_d1: {
              name: 'WORK/cd',
              result: false,
              comment:
                'The following requisites were not found:\n                   require:\n                       file: WORK/cd/keep\n',
              changes: {},
            },
            p_d2: {
              name: 'WORK/modedir',
              result: null,
              comment: 'The following files will be changed:\nWORK/modedir: directory - new\n',
              changes: {
                'WORK/modedir': {
                  directory: 'new',
                },
              },
            },
            p_sl1: {
              name: 'WORK/lnk',
              result: null,
              comment: 'Link WORK/lnk target is set to be changed to WORK/f1',
              changes: {
                change: 'WORK/lnk',
              },
            },
            p_sl2: {
              name: 'WORK/plainf',
              result: false,
              comment: 'File or directory exists where the symlink WORK/plainf should be. Did you mean to use force?',
              changes: {},
            },
            p_sl3: {
              name: 'WORK/plainf',
              result: null,
              comment:
                'The file or directory WORK/plainf is set for removal to make way for a new symlink targeting WORK/f1',
              changes: {},
            },
            p_ln: {
              name: 'WORK/f1',
              result: null,
              comment: 'Changes would be made',
              changes: {
                diff: '--- \n+++ \n@@ -1,3 +1,4 @@\n one\n two\n+2.5\n three\n',
              },
            },
            p_rp: {
              name: 'WORK/f2',
              result: null,
              comment: 'Changes would have been made',
              changes: {
                diff: '--- \n+++ \n@@ -1,5 +1,5 @@\n #foo=1\n-bar=2\n+bar=3\n # start\n old\n # end\n',
              },
            },
            p_br: {
              name: 'WORK/f2',
              result: null,
              comment: 'Changes would be made',
              changes: {
                diff: '--- \n+++ \n@@ -1,5 +1,5 @@\n #foo=1\n bar=2\n # start\n-old\n+new\n # end\n',
              },
            },
            p_ap: {
              name: 'WORK/f2',
              result: null,
              comment: 'File WORK/f2 is set to be updated',
              changes: {
                diff: '--- \n\n+++ \n\n@@ -3,3 +3,4 @@\n\n # start\n old\n # end\n+appended line',
              },
            },
            p_pp: {
              name: 'WORK/f2',
              result: null,
              comment: 'File WORK/f2 is set to be updated',
              changes: {
                diff: '--- \n+++ \n@@ -1,3 +1,5 @@\n+# p1\n+# p2\n #foo=1\n bar=2\n # start\n',
              },
            },
            p_cm: {
              name: 'WORK/f2',
              result: null,
              comment: 'File WORK/f2 is set to be updated',
              changes: {
                'WORK/f2': 'updated',
              },
            },
            p_uc: {
              name: 'WORK/f2',
              result: null,
              comment: 'File WORK/f2 is set to be updated',
              changes: {
                'WORK/f2': 'updated',
              },
            },
            p_tc: {
              name: 'WORK/f2',
              result: true,
              comment: 'File WORK/f2 exists and has the correct times',
              changes: {
                new: 'WORK/f2',
              },
            },
            p_cp: {
              name: 'WORK/f2',
              result: null,
              comment: 'File "WORK/tgt" is set to be copied to "WORK/f2"',
              changes: {},
            },
            p_ab: {
              name: 'WORK/cd',
              result: null,
              comment: 'Directory WORK/cd is set for removal',
              changes: {
                removed: 'WORK/cd',
              },
            },
            p_rc: {
              name: 'WORK/www',
              result: null,
              comment: '#### removed ####\nWORK/www/stale',
              changes: {},
            },
            p_dbad: {
              name: 'WORK/rd',
              result: false,
              comment:
                'Types for "recurse" limited to "user", "group", "mode", "ignore_files", "ignore_dirs", "silent".',
              changes: {},
            },
          },
        },
        {
          spec: 'spec-probe',
          test: false,
          salt: {
            p_m1: {
              name: 'WORK/f1',
              result: true,
              comment: 'File WORK/f1 updated',
              changes: {
                diff: '--- \n+++ \n@@ -1,3 +1 @@\n-one\n-two\n-three\n+hello\n',
              },
            },
            p_m2: {
              name: 'WORK/f1x',
              result: false,
              comment: 'Pillar no:such does not exist',
              changes: {},
            },
            p_m3: {
              name: 'WORK/f1y',
              result: true,
              comment: 'File WORK/f1y updated',
              changes: {
                diff: 'New file',
                mode: '0644',
              },
            },
            p_m4: {
              name: 'WORK/modef',
              result: true,
              comment: '',
              changes: {
                mode: '0644',
              },
            },
            p_m5: {
              name: 'WORK/nothere',
              result: true,
              comment: 'File WORK/nothere is not present and is not set for creation',
              changes: {},
            },
            p_m6: {
              name: 'WORK/userx',
              result: false,
              comment: 'User nosuchuserzz is not available ',
              changes: {},
            },
            p_m7: {
              name: 'WORK/cd',
              result: false,
              comment: 'Specified target WORK/cd is a directory',
              changes: {},
            },
            p_d1: {
              name: 'WORK/cd',
              result: false,
              comment:
                'The following requisites were not found:\n                   require:\n                       file: WORK/cd/keep\n',
              changes: {},
            },
            p_d2: {
              name: 'WORK/modedir',
              result: true,
              comment: '',
              changes: {
                'WORK/modedir': {
                  directory: 'new',
                },
              },
            },
            p_sl1: {
              name: 'WORK/lnk',
              result: true,
              comment: 'Created new symlink WORK/lnk -> WORK/f1',
              changes: {
                new: 'WORK/lnk',
              },
            },
            p_sl2: {
              name: 'WORK/plainf',
              result: false,
              comment: 'File exists where the symlink WORK/plainf should be',
              changes: {},
            },
            p_sl3: {
              name: 'WORK/plainf',
              result: true,
              comment: 'Created new symlink WORK/plainf -> WORK/f1',
              changes: {
                new: 'WORK/plainf',
              },
            },
            p_ln: {
              name: 'WORK/f1',
              result: false,
              comment:
                'An exception occurred in this state: Traceback (most recent call last):\n  File "/work/shared/salt-3006.8/salt/state.py", line 2422, in call\n    ret = self.states[cdata["full"]](\n          ^^^^^^^^^^^^^^^^^^^^^^^^^^^\n  File "/work/shared/salt-3006.8/salt/loader/lazy.py", line 159, in __call__\n    ret = self.loader.run(run_func, *args, **kwargs)\n          ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^\n  File "/work/shared/salt-3006.8/salt/loader/lazy.py", line 1245, in run\n    return self._last_context.run(self._run_as, _func_or_method, *args, **kwargs)\n           ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^\n  File "/work/shared/salt-3006.8/salt/loader/lazy.py", line 1260, in _run_as\n    return _func_or_method(*args, **kwargs)\n           ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^\n  File "/work/shared/salt-3006.8/salt/loader/lazy.py", line 1293, in wrapper\n    return f(*args, **kwargs)\n           ^^^^^^^^^^^^^^^^^^\n  File "/work/shared/salt-3006.8/salt/states/file.py", line 5193, in line\n    changes = __salt__["file.line"](\n              ^^^^^^^^^^^^^^^^^^^^^^\n  File "/work/shared/salt-3006.8/salt/loader/lazy.py", line 159, in __call__\n    ret = self.loader.run(run_func, *args, **kwargs)\n          ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^\n  File "/work/shared/salt-3006.8/salt/loader/lazy.py", line 1245, in run\n    return self._last_context.run(self._run_as, _func_or_method, *args, **kwargs)\n           ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^\n  File "/work/shared/salt-3006.8/salt/loader/lazy.py", line 1260, in _run_as\n    return _func_or_method(*args, **kwargs)\n           ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^\n  File "/work/shared/salt-3006.8/salt/modules/file.py", line 2268, in line\n    body = _set_line(\n           ^^^^^^^^^^\n  File "/work/shared/salt-3006.8/salt/modules/file.py", line 1960, in _set_line\n    raise CommandExecutionError(\nsalt.exceptions.CommandExecutionError: Wrong conditions? Unable to ensure line without knowing where to put it before and/or after.\n',
              changes: {},
            },
            p_rp: {
              name: 'WORK/f2',
              result: true,
              comment: 'Changes were made',
              changes: {
                diff: '--- \n+++ \n@@ -1,5 +1,5 @@\n #foo=1\n-bar=2\n+bar=3\n # start\n old\n # end\n',
              },
            },
            p_br: {
              name: 'WORK/f2',
              result: true,
              comment: 'Changes were made',
              changes: {
                diff: '--- \n+++ \n@@ -1,5 +1,5 @@\n #foo=1\n bar=3\n # start\n-old\n+new\n # end\n',
              },
            },
            p_ap: {
              name: 'WORK/f2',
              result: true,
              comment: 'Appended 1 lines',
              changes: {
                diff: '--- \n\n+++ \n\n@@ -3,3 +3,4 @@\n\n # start\n new\n # end\n+appended line',
              },
            },
            p_pp: {
              name: 'WORK/f2',
              result: true,
              comment: 'Prepended 2 lines',
              changes: {
                diff: '--- \n+++ \n@@ -1,3 +1,5 @@\n+# p1\n+# p2\n #foo=1\n bar=3\n # start\n',
              },
            },
            p_cm: {
              name: 'WORK/f2',
              result: true,
              comment: 'Commented lines successfully',
              changes: {
                diff: '--- \n+++ \n@@ -1,7 +1,7 @@\n # p1\n # p2\n #foo=1\n-bar=3\n+#bar=3\n # start\n new\n # end\n',
              },
            },
            p_uc: {
              name: 'WORK/f2',
              result: true,
              comment: 'Uncommented lines successfully',
              changes: {
                diff: '--- \n+++ \n@@ -1,6 +1,6 @@\n # p1\n # p2\n-#foo=1\n+foo=1\n #bar=3\n # start\n new\n',
              },
            },
            p_tc: {
              name: 'WORK/f2',
              result: true,
              comment: 'Updated times on file WORK/f2',
              changes: {
                touched: 'WORK/f2',
              },
            },
            p_cp: {
              name: 'WORK/f2',
              result: true,
              comment: 'Copied "WORK/tgt" to "WORK/f2"',
              changes: {
                'WORK/f2': 'WORK/tgt',
              },
            },
            p_ab: {
              name: 'WORK/cd',
              result: true,
              comment: 'Removed directory WORK/cd',
              changes: {
                removed: 'WORK/cd',
              },
            },
            p_rc: {
              name: 'WORK/www',
              result: true,
              comment: 'Recursively updated WORK/www',
              changes: {
                removed: ['WORK/www/stale'],
              },
            },
            p_dbad: {
              name: 'WORK/rd',
              result: false,
              comment:
                'Types for "recurse" limited to "user", "group", "mode", "ignore_files", "ignore_dirs", "silent".',
              changes: {},
            },
          },
        },
      ],
      skip: {
        p_d1: ['result', 'comment', 'changes'],
        p_ln: ['comment'],
      },
    },
    {
      title: 'more edge cases: test mode, then a run',
      runs: [
        {
          spec: 'spec-setup3',
          test: false,
          salt: {
            s3_a: {
              name: 'WORK/c1',
              result: true,
              comment: 'File WORK/c1 updated',
              changes: {
                diff: 'New file',
              },
            },
            s3_b: {
              name: 'WORK/tm',
              result: true,
              comment: 'File WORK/tm updated',
              changes: {
                diff: 'New file',
                mode: '0644',
              },
            },
            s3_c: {
              name: 'WORK/blockf',
              result: true,
              comment: 'File WORK/blockf updated',
              changes: {
                diff: 'New file',
              },
            },
            s3_d: {
              name: 'WORK/rd/a/b',
              result: true,
              comment: '',
              changes: {
                'WORK/rd/a/b': {
                  directory: 'new',
                },
              },
            },
            s3_e: {
              name: 'WORK/rd/a/f',
              result: true,
              comment: 'File WORK/rd/a/f updated',
              changes: {
                diff: 'New file',
              },
            },
            s3_f: {
              name: 'WORK/inway',
              result: true,
              comment: 'File WORK/inway updated',
              changes: {
                diff: 'New file',
              },
            },
            s3_g: {
              name: 'WORK/inway2',
              result: true,
              comment: 'File WORK/inway2 updated',
              changes: {
                diff: 'New file',
              },
            },
            s3_h: {
              name: 'WORK/www3',
              result: true,
              comment: 'Recursively updated WORK/www3',
              changes: {
                'WORK/www3/css': {
                  'WORK/www3/css': {
                    directory: 'new',
                  },
                },
                'WORK/www3/css/main.css': {
                  diff: 'New file',
                  mode: '0644',
                },
                'WORK/www3/index.html': {
                  diff: 'New file',
                  mode: '0644',
                },
              },
            },
            s3_i: {
              name: 'WORK/www3/stale',
              result: true,
              comment: 'File WORK/www3/stale updated',
              changes: {
                diff: 'New file',
              },
            },
            s3_j: {
              name: 'WORK/alink',
              result: true,
              comment: 'Created new symlink WORK/alink -> WORK/c1',
              changes: {
                new: 'WORK/alink',
              },
            },
            s3_k: {
              name: 'WORK/cmt',
              result: true,
              comment: 'File WORK/cmt updated',
              changes: {
                diff: 'New file',
              },
            },
          },
        },
        {
          spec: 'spec-probe3',
          test: true,
          salt: {
            q_m1: {
              name: 'WORK/c1',
              result: null,
              comment:
                'The file WORK/c1 is set to be changed\nNote: No changes made, actual changes may\nbe different due to other states.',
              changes: {
                diff: '--- \n+++ \n@@ -1,2 +1,2 @@\n one\n-two\n+three\n',
              },
            },
            q_m2: {
              name: 'WORK/tm',
              result: null,
              comment:
                'The file WORK/tm is set to be changed\nNote: No changes made, actual changes may\nbe different due to other states.',
              changes: {
                diff: '--- \n+++ \n@@ -1 +1 @@\n-id=peer-1 who=x\n+id=peer-1 who=y\n',
              },
            },
            q_m3: {
              name: 'WORK/g',
              result: null,
              comment:
                'The file WORK/g is set to be changed\nNote: No changes made, actual changes may\nbe different due to other states.',
              changes: {
                newfile: 'WORK/g',
              },
            },
            q_m4: {
              name: 'WORK/mk/deep/f',
              result: null,
              comment:
                'The file WORK/mk/deep/f is set to be changed\nNote: No changes made, actual changes may\nbe different due to other states.',
              changes: {
                newfile: 'WORK/mk/deep/f',
              },
            },
            q_d1: {
              name: 'WORK/rd',
              result: null,
              comment: 'The following files will be changed:\nWORK/rd/a/f: mode - 0644\n',
              changes: {
                'WORK/rd/a/f': {
                  mode: '0644',
                },
              },
            },
            q_d2: {
              name: 'WORK/rd',
              result: null,
              comment: 'The following files will be changed:\nWORK/rd/a: mode - 0700\nWORK/rd/a/b: mode - 0700\n',
              changes: {
                'WORK/rd/a': {
                  mode: '0700',
                },
                'WORK/rd/a/b': {
                  mode: '0700',
                },
              },
            },
            q_d3: {
              name: 'WORK/inway',
              result: null,
              comment: 'WORK/inway would be backed up and replaced with a new directory',
              changes: {
                backup: 'WORK/inway would be renamed to WORK/inway.bak',
                'WORK/inway': {
                  directory: 'new',
                },
              },
            },
            q_s1: {
              name: 'WORK/inway2',
              result: false,
              comment: 'File or directory exists where the symlink WORK/inway2 should be. Did you mean to use force?',
              changes: {},
            },
            q_s2: {
              name: 'WORK/nod/l',
              result: null,
              comment: 'Symlink WORK/nod/l to WORK/c1 is set for creation\nWORK/nod will be created',
              changes: {
                new: 'WORK/nod/l',
              },
            },
            q_rc: {
              name: 'WORK/www3',
              result: null,
              comment: '#### removed ####\nWORK/www3/stale',
              changes: {},
            },
            q_cp: {
              name: 'WORK/cpd/x/y',
              result: null,
              comment: 'File "WORK/c1" is set to be copied to "WORK/cpd/x/y"',
              changes: {},
            },
            q_ap: {
              name: 'WORK/newap',
              result: null,
              comment: 'File WORK/newap is set to be created',
              changes: {
                new: 'WORK/newap',
              },
            },
            q_br: {
              name: 'WORK/blockf',
              result: null,
              comment: 'Changes would be made',
              changes: {
                diff: '--- \n+++ \n@@ -1 +1,5 @@\n+#-- start managed zone --\n+b1\n+b2\n+#-- end managed zone --\n top\n',
              },
            },
            q_cm: {
              name: 'WORK/cmt',
              result: true,
              comment: 'Pattern already commented',
              changes: {},
            },
            q_tc: {
              name: 'WORK/c1',
              result: true,
              comment: 'File WORK/c1 exists and has the correct times',
              changes: {
                new: 'WORK/c1',
              },
            },
            q_ld: {
              name: 'WORK/cmt',
              result: null,
              comment: 'Changes would be made',
              changes: {
                diff: '--- \n+++ \n@@ -1,2 +1 @@\n #x=1\n-y=2\n',
              },
            },
            q_rp: {
              name: 'WORK/cmt',
              result: null,
              comment: 'Changes would have been made',
              changes: {
                diff: '--- \n+++ \n@@ -1,2 +1,3 @@\n #x=1\n y=2\n+z=9\n',
              },
            },
            q_ab: {
              name: 'WORK/alink',
              result: null,
              comment: 'File WORK/alink is set for removal',
              changes: {
                removed: 'WORK/alink',
              },
            },
            q_pp: {
              name: 'WORK/blockf',
              result: null,
              comment: 'File WORK/blockf is set to be updated',
              changes: {
                diff: '--- \n+++ \n@@ -1 +1,2 @@\n+first\n top\n',
              },
            },
          },
        },
        {
          spec: 'spec-probe3',
          test: false,
          salt: {
            q_m1: {
              name: 'WORK/c1',
              result: true,
              comment: 'File WORK/c1 updated',
              changes: {
                diff: '--- \n+++ \n@@ -1,2 +1,2 @@\n one\n-two\n+three\n',
              },
            },
            q_m2: {
              name: 'WORK/tm',
              result: true,
              comment: 'File WORK/tm updated',
              changes: {
                diff: '--- \n+++ \n@@ -1 +1 @@\n-id=peer-1 who=x\n+id=peer-1 who=y\n',
              },
            },
            q_m3: {
              name: 'WORK/g',
              result: true,
              comment: 'File WORK/g updated',
              changes: {
                diff: 'New file',
              },
            },
            q_m4: {
              name: 'WORK/mk/deep/f',
              result: true,
              comment: 'File WORK/mk/deep/f updated',
              changes: {
                diff: 'New file',
                mode: '0640',
              },
            },
            q_d1: {
              name: 'WORK/rd',
              result: true,
              comment: 'Directory WORK/rd updated',
              changes: {
                'WORK/rd/a/f': {
                  mode: '0644',
                },
                mode: '0644',
              },
            },
            q_d2: {
              name: 'WORK/rd',
              result: true,
              comment: 'Directory WORK/rd/* updated',
              changes: {
                'WORK/rd/a': {
                  mode: '0700',
                },
                'WORK/rd/a/f': {
                  mode: '0600',
                },
                'WORK/rd/a/b': {
                  mode: '0700',
                },
                mode: '0700',
              },
            },
            q_d3: {
              name: 'WORK/inway',
              result: true,
              comment: '',
              changes: {
                'WORK/inway': {
                  directory: 'new',
                },
              },
            },
            q_s1: {
              name: 'WORK/inway2',
              result: true,
              comment: 'Created new symlink WORK/inway2 -> WORK/c1',
              changes: {
                new: 'WORK/inway2',
              },
            },
            q_s2: {
              name: 'WORK/nod/l',
              result: true,
              comment: 'Created new symlink WORK/nod/l -> WORK/c1',
              changes: {
                new: 'WORK/nod/l',
              },
            },
            q_rc: {
              name: 'WORK/www3',
              result: true,
              comment: 'Recursively updated WORK/www3',
              changes: {
                removed: ['WORK/www3/stale'],
              },
            },
            q_cp: {
              name: 'WORK/cpd/x/y',
              result: true,
              comment: 'Copied "WORK/c1" to "WORK/cpd/x/y"',
              changes: {
                'WORK/cpd/x/y': 'WORK/c1',
                mode: '0640',
              },
            },
            q_ap: {
              name: 'WORK/newap',
              result: true,
              comment: 'Appended 1 lines',
              changes: {
                diff: '--- \n\n+++ \n\n@@ -0,0 +1 @@\n\n+x',
              },
            },
            q_br: {
              name: 'WORK/blockf',
              result: true,
              comment: 'Changes were made',
              changes: {
                diff: '--- \n+++ \n@@ -1 +1,5 @@\n+#-- start managed zone --\n+b1\n+b2\n+#-- end managed zone --\n top\n',
              },
            },
            q_cm: {
              name: 'WORK/cmt',
              result: true,
              comment: 'Pattern already commented',
              changes: {},
            },
            q_tc: {
              name: 'WORK/c1',
              result: true,
              comment: 'Updated times on file WORK/c1',
              changes: {
                touched: 'WORK/c1',
              },
            },
            q_ld: {
              name: 'WORK/cmt',
              result: true,
              comment: 'Changes were made',
              changes: {
                diff: '--- \n+++ \n@@ -1,2 +1 @@\n #x=1\n-y=2\n',
              },
            },
            q_rp: {
              name: 'WORK/cmt',
              result: true,
              comment: 'Changes were made',
              changes: {
                diff: '--- \n+++ \n@@ -1 +1,2 @@\n #x=1\n+z=9\n',
              },
            },
            q_ab: {
              name: 'WORK/alink',
              result: true,
              comment: 'Removed file WORK/alink',
              changes: {
                removed: 'WORK/alink',
              },
            },
            q_pp: {
              name: 'WORK/blockf',
              result: true,
              comment: 'Prepended 1 lines',
              changes: {
                diff: '--- \n+++ \n@@ -1,3 +1,4 @@\n+first\n #-- start managed zone --\n b1\n b2\n',
              },
            },
          },
        },
      ],
      skip: {},
    },
    {
      title: 'hardlink, exists, missing, rename: test mode, then a run',
      runs: [
        {
          spec: 'spec-setup4',
          test: false,
          salt: {
            h_t: {
              name: 'WORK/hlt',
              result: true,
              comment: 'File WORK/hlt updated',
              changes: {
                diff: 'New file',
              },
            },
            h_p: {
              name: 'WORK/hlp',
              result: true,
              comment: 'File WORK/hlp updated',
              changes: {
                diff: 'New file',
              },
            },
          },
        },
        {
          spec: 'spec-probe4',
          test: true,
          salt: {
            h1: {
              name: 'WORK/hl',
              result: null,
              comment: 'Hard link WORK/hl to WORK/hlt is set for creation',
              changes: {
                new: 'WORK/hl',
              },
            },
            h2: {
              name: 'WORK/hl',
              result: null,
              comment: 'Hard link WORK/hl to WORK/hlt is set for creation',
              changes: {
                new: 'WORK/hl',
              },
            },
            h3: {
              name: 'WORK/hlp',
              result: false,
              comment: 'File or directory exists where the hard link WORK/hlp should be. Did you mean to use force?',
              changes: {},
            },
            h4: {
              name: 'WORK/hlp',
              result: null,
              comment:
                'The file or directory WORK/hlp is set for removal to make way for a new hard link targeting WORK/hlt',
              changes: {},
            },
            h5: {
              name: 'WORK/x/y',
              result: null,
              comment: 'Hard link WORK/x/y to WORK/hlt is set for creation',
              changes: {
                new: 'WORK/x/y',
              },
            },
            h6: {
              name: 'WORK/hl2',
              result: false,
              comment: 'Unable to hard link from directory WORK',
              changes: {},
            },
            h7: {
              name: 'WORK/hl',
              result: false,
              comment: 'Specified path WORK/hl does not exist',
              changes: {},
            },
            h8: {
              name: 'WORK/hl',
              result: true,
              comment: 'Path WORK/hl is missing',
              changes: {},
            },
            h9: {
              name: 'WORK/hl3',
              result: true,
              comment: 'Source file "WORK/hl" has already been moved out of place',
              changes: {},
            },
          },
        },
        {
          spec: 'spec-probe4',
          test: false,
          salt: {
            h1: {
              name: 'WORK/hl',
              result: true,
              comment: 'Created new hard link WORK/hl -> WORK/hlt',
              changes: {
                new: 'WORK/hl',
              },
            },
            h2: {
              name: 'WORK/hl',
              result: true,
              comment: 'Target of hard link WORK/hl is already pointing to WORK/hlt',
              changes: {},
            },
            h3: {
              name: 'WORK/hlp',
              result: false,
              comment: 'File exists where the hard link WORK/hlp should be',
              changes: {},
            },
            h4: {
              name: 'WORK/hlp',
              result: true,
              comment: 'Created new hard link WORK/hlp -> WORK/hlt',
              changes: {
                forced: 'File for hard link was forcibly replaced',
                new: 'WORK/hlp',
              },
            },
            h5: {
              name: 'WORK/x/y',
              result: false,
              comment: 'Directory WORK/x for hard link is not present',
              changes: {},
            },
            h6: {
              name: 'WORK/hl2',
              result: false,
              comment: 'Unable to hard link from directory WORK',
              changes: {},
            },
            h7: {
              name: 'WORK/hl',
              result: true,
              comment: 'Path WORK/hl exists',
              changes: {},
            },
            h8: {
              name: 'WORK/hl',
              result: false,
              comment: 'Specified path WORK/hl exists',
              changes: {},
            },
            h9: {
              name: 'WORK/hl3',
              result: true,
              comment: 'Moved "WORK/hl" to "WORK/hl3"',
              changes: {
                'WORK/hl3': 'WORK/hl',
              },
            },
          },
        },
      ],
      skip: {},
    },
  ],
};
