import type { Metadata } from 'next';
import type { ReactNode } from 'react';
import { SimulatedPaymentsNotice } from './components/simulated-payments-notice';
import { SiteHeader } from './components/site-header';
import './globals.css';

export const metadata: Metadata = {
  title: { default: 'Acme Analytics', template: '%s · Acme Analytics' },
  description: 'A SaaS whose plan follows Stripe the moment Stripe says so.',
};

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body>
        <SiteHeader />
        <SimulatedPaymentsNotice />
        {children}
      </body>
    </html>
  );
}
