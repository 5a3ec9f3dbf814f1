/** What an app-specific password is and where to make one: iCloud refuses the Apple ID password for mail apps. */
export function AppPasswordHelp() {
  return (
    <details class="help-box">
      <summary>What is an app-specific password?</summary>
      <p>
        iCloud Mail does not accept your Apple ID password from other mail programs. Instead you create an <em>app-specific password</em> for this
        notifier: sign in at{' '}
        <a href="https://account.apple.com" target="_blank" rel="noopener noreferrer">
          account.apple.com
        </a>
        , open <strong>Sign-In and Security → App-Specific Passwords</strong>, add one and type it here. It looks like <code>abcd-efgh-ijkl-mnop</code>.
        Two-factor authentication must be on. Apple explains it at{' '}
        <a href="https://support.apple.com/en-us/102654" target="_blank" rel="noopener noreferrer">
          support.apple.com/en-us/102654
        </a>
        .
      </p>
      <p>The password goes to the helper on this computer, which keeps it in the system keychain; this extension never stores it.</p>
    </details>
  );
}
