// Creates the demo user the offline trigger and fixtures refer to (idempotent).
import './load-env';
import { getPrisma } from '../lib/db/client';

const prisma = getPrisma();
const user = await prisma.user.upsert({
  where: { id: 'user_demo_1' },
  update: {},
  create: { id: 'user_demo_1', email: 'demo@example.com' },
});
console.log(`Seeded user ${user.id} <${user.email}>`);
await prisma.$disconnect();
