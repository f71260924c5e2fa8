// Makes an existing user an administrator of /admin/webhooks:
//   npm run admin:grant -- <email>
// The user signs up first; the role lives in users.role, so no address anyone can register is an admin.
import { grantAdminRole } from '../lib/auth/grant-admin-role';
import { errorMessage } from '../lib/logger';

async function main(): Promise<number> {
  const email = process.argv[2]?.trim();
  if (!email) {
    console.error('usage: npm run admin:grant -- <email>');
    return 1;
  }
  if (!(await grantAdminRole({ email }))) {
    console.error(`No user with the email ${email}: they must sign up first, then run this again.`);
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
