/** `reseg users add|list|revoke`: the people a served project knows, each with a personal link. */
import { InvalidArgumentError as InvalidArgument, type Command } from 'commander'
import { roles, type Role } from '../../shared/contract/access'
import { activeUserCount, addUser, listUsers, revokeUser } from '../lab/users'
import { openProject } from '../store/project'

export function registerUserCommands(program: Command): void {
  const users = program
    .command('users')
    .description('people who may open a served project, each with a role (viewer, annotator, admin)')

  users
    .command('add')
    .description('adds a user and prints their personal link once (only a hash of its token is kept)')
    .requiredOption('--project <dir>', 'project folder')
    .option('--role <role>', `one of ${roles.join(', ')}`, parseRole, 'annotator' as Role)
    .option('--url <base>', 'the address people open (e.g. https://lab.example.org)', 'http://127.0.0.1:PORT')
    .argument('<name>', 'the name shown in histories and the audit log')
    .action(async (name: string, opts: { project: string; role: Role; url: string }) => {
      const project = openProject(opts.project)
      try {
        const { user, token } = await addUser(project.db, name.trim(), opts.role)
        process.stdout.write(
          `added ${user.name} (${user.role}). Personal link, shown only now:\n${opts.url.replace(/\/+$/, '')}/?token=${token}\n`,
        )
      } finally {
        project.close()
      }
    })

  users
    .command('list')
    .description('lists users with their role and state (never tokens)')
    .requiredOption('--project <dir>', 'project folder')
    .action((opts: { project: string }) => {
      const project = openProject(opts.project)
      try {
        for (const u of listUsers(project.db))
          process.stdout.write(
            `${u.name}\t${u.role}\tadded ${u.createdAt}${u.revokedAt ? `\trevoked ${u.revokedAt}` : ''}\n`,
          )
        process.stdout.write(`${activeUserCount(project.db)} active\n`)
      } finally {
        project.close()
      }
    })

  users
    .command('revoke')
    .description("revokes a user's link at once, also on a running server; their history stays")
    .requiredOption('--project <dir>', 'project folder')
    .argument('<name>', 'user name')
    .action((name: string, opts: { project: string }) => {
      const project = openProject(opts.project)
      try {
        if (!revokeUser(project.db, name)) throw new Error(`no active user named '${name}'`)
        process.stdout.write(`revoked ${name}\n`)
      } finally {
        project.close()
      }
    })
}

function parseRole(value: string): Role {
  if (!(roles as readonly string[]).includes(value))
    throw new InvalidArgument(`expected one of ${roles.join(', ')}, got '${value}'`)
  return value as Role
}

/** `reseg audit`: the audit log as CSV or JSON lines, filtered by author / method / run. */
export function registerAuditCommand(program: Command): void {
  program
    .command('audit')
    .description(
      'prints the audit log of writes (CSV, or JSON lines): who tagged, noted, edited what and when',
    )
    .requiredOption('--project <dir>', 'project folder')
    .option('--author <name>', 'only writes by this user')
    .option('--method <name>', 'only this API method (e.g. setSampleTag, saveNote)')
    .option('--run <id>', 'only this run id', (v: string) => Number(v))
    .option('--json', 'one JSON object per line instead of CSV')
    .action((opts: { project: string; author?: string; method?: string; run?: number; json?: boolean }) => {
      const project = openProject(opts.project)
      try {
        const rows = project.db
          .prepare(
            `SELECT id, at, user_name AS user, role, method, run_id AS runId, sample_id AS sampleId, summary
             FROM audit_log WHERE (@author IS NULL OR user_name = @author)
               AND (@method IS NULL OR method = @method) AND (@run IS NULL OR run_id = @run) ORDER BY id`,
          )
          .all({ author: opts.author ?? null, method: opts.method ?? null, run: opts.run ?? null }) as Record<
          string,
          string | number | null
        >[]
        if (opts.json) {
          for (const r of rows) process.stdout.write(`${JSON.stringify(r)}\n`)
          return
        }
        const cols = ['id', 'at', 'user', 'role', 'method', 'runId', 'sampleId', 'summary']
        const cell = (v: string | number | null) =>
          v == null ? '' : /[",\n]/.test(String(v)) ? `"${String(v).replace(/"/g, '""')}"` : String(v)
        process.stdout.write(`${cols.join(',')}\n`)
        for (const r of rows) process.stdout.write(`${cols.map((c) => cell(r[c])).join(',')}\n`)
      } finally {
        project.close()
      }
    })
}
