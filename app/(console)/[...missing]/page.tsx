import { notFound } from 'next/navigation';

// Any address no page answers: the console's own 404, inside its layout (after sign-in).
export default function MissingPage() {
  notFound();
}
