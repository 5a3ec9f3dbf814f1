/** What a test Dovecot looks like: its config file and passwd-file, as plain text. */

/** stock: folders flagged special-use; icloud: iCloud's names and capabilities; bare: Debian's default, INBOX alone. */
export type DovecotProfile = 'stock' | 'icloud' | 'bare';

export interface DovecotUser {
  user: string;
  pass: string;
}

export interface ProfileMailbox {
  name: string;
  specialUse?: '\\Archive' | '\\Trash' | '\\Sent' | '\\Drafts' | '\\Junk';
}

/** iCloud's post-login list (imap-facts.md) minus Apple's private tokens: no BINARY, MOVE, SPECIAL-USE. */
export const ICLOUD_CAPABILITIES = [
  'IMAP4rev1', 'CONDSTORE', 'ENABLE', 'QRESYNC', 'QUOTA', 'NAMESPACE', 'UIDPLUS', 'UNSELECT',
  'SORT', 'ESEARCH', 'ESORT', 'WITHIN', 'SASL-IR', 'ID', 'IDLE', 'LIST-STATUS',
] as const;

/** Mailboxes created (and subscribed) for every user besides INBOX. */
export const MAILBOXES_BY_PROFILE: Record<DovecotProfile, readonly ProfileMailbox[]> = {
  stock: [
    { name: 'Archive', specialUse: '\\Archive' },
    { name: 'Trash', specialUse: '\\Trash' },
    { name: 'Sent', specialUse: '\\Sent' },
    { name: 'Drafts', specialUse: '\\Drafts' },
    { name: 'Junk', specialUse: '\\Junk' },
  ],
  // Like iCloud: only Trash and Sent carry a flag, the rest must be matched by name.
  icloud: [
    { name: 'Archive' },
    { name: 'Deleted Messages', specialUse: '\\Trash' },
    { name: 'Sent Messages', specialUse: '\\Sent' },
    { name: 'Junk' },
    { name: 'Drafts' },
  ],
  // Debian's dovecot-imapd as installed: no folder but INBOX, though SPECIAL-USE is advertised.
  bare: [],
};

export interface DovecotPaths {
  baseDir: string;
  stateDir: string;
  logFile: string;
  passwdFile: string;
  homeDir: string;
}

export interface DovecotConfigOptions {
  paths: DovecotPaths;
  port: number;
  instanceName: string;
  profile: DovecotProfile;
  maxUserIpConnections?: number;
}

export function renderDovecotConfig({ paths, port, instanceName, profile, maxUserIpConnections }: DovecotConfigOptions): string {
  const mailboxes = MAILBOXES_BY_PROFILE[profile].map(({ name, specialUse }) => [
    `  mailbox "${name}" {`,
    '    auto = subscribe',
    ...(specialUse ? [`    special_use = ${specialUse}`] : []),
    '  }',
  ].join('\n'));
  const lines = [
    `instance_name = ${instanceName}`,
    // Lets the harness tell its own server from another one that took the same port.
    `login_greeting = ${instanceName} ready.`,
    `base_dir = ${paths.baseDir}`,
    `state_dir = ${paths.stateDir}`,
    `log_path = ${paths.logFile}`,
    'protocols = imap',
    'listen = 127.0.0.1',
    'ssl = no',
    'disable_plaintext_auth = no',
    // Failed logins are logged with the reason (never the password: auth_verbose_passwords stays no).
    'auth_verbose = yes',
    'mail_location = maildir:~/Maildir',
    ...(maxUserIpConnections === undefined ? [] : [`mail_max_userip_connections = ${maxUserIpConnections}`]),
    ...(profile === 'icloud' ? [`imap_capability = ${ICLOUD_CAPABILITIES.join(' ')}`] : []),
    'passdb {',
    '  driver = passwd-file',
    `  args = scheme=PLAIN username_format=%u ${paths.passwdFile}`,
    '}',
    'userdb {',
    '  driver = static',
    // Dovecot refuses to run mail processes as root, so mail belongs to nobody.
    `  args = uid=nobody gid=nogroup home=${paths.homeDir}/%u`,
    '}',
    'service imap-login {',
    '  inet_listener imap {',
    '    address = 127.0.0.1',
    `    port = ${port}`,
    '  }',
    // The built-in imaps listener would claim port 993.
    '  inet_listener imaps {',
    '    port = 0',
    '  }',
    '}',
    'namespace inbox {',
    '  inbox = yes',
    // iCloud's hierarchy separator; stock keeps Dovecot's maildir default.
    ...(profile === 'icloud' ? ['  separator = /'] : []),
    ...mailboxes,
    '}',
  ];
  return `${lines.join('\n')}\n`;
}

export const GENERATION_FIELD = 'harness_generation';

/**
 * One `user:pass` line per user. `generation` rides along as a passdb extra field so the
 * harness can see (with `doveadm auth lookup`) which version of the file Dovecot has read.
 */
export function renderPasswdFile(users: Iterable<DovecotUser>, generation: number): string {
  let text = '';
  for (const { user, pass } of users) {
    if (/[:\r\n]/.test(user + pass)) throw new Error(`passwd-file cannot hold ':' or line breaks (user ${user})`);
    text += `${user}:${pass}::::::${GENERATION_FIELD}=${generation}\n`;
  }
  return text;
}
