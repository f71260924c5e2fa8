// Makes an existing user an administrator of /admin/webhooks:
//   npm run admin:grant -- <email> [--force]
// The user signs up first; the role lives in users.role, so no address anyone can register is an admin.
// An unverified email is refused unless --force (the operator vouches for whoever registered it).
import { grantAdminRole } from '../lib/auth/grant-admin-role';
import { errorMessage } from '../lib/logger';

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  const force = args.includes('--force');
  const email = args.find((arg) => arg !== '--force')?.trim();
  if (!email) {
    console.error('usage: npm run admin:grant -- <email> [--force]');
    return 1;
  }
  const result = await grantAdminRole({ email, force });
  if (result === 'no_user') {
    console.error(`No user with the email ${email}: they must sign up first, then run this again.`);
    return 1;
  }
  if (result === 'unverified') {
    console.error(`${email} is not verified: anyone could have registered it. Run again with --force if you know it is theirs.`);
    return 1;
  }
  console.log(`${email} is now an administrator.`);
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`admin:grant failed: ${errorMessage(error)}`);
    process.exit(1);
  },
);
