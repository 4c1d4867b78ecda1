import { connectWithQonto } from './actions';

/** "Connect with Qonto": a form posting to a server action, so it works before (or without) JavaScript. */
export function ConnectButton({ label = 'Connect with Qonto' }: { label?: string }) {
  return (
    <form action={connectWithQonto}>
      <button type="submit">{label}</button>
    </form>
  );
}
