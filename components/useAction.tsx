/** Runs an async intent for a form: busy while it runs, then the outcome as a sentence to show. */
import { useState } from 'preact/hooks';
import { userMessage } from '../extension/errors';

export interface ActionState {
  busy: boolean;
  outcome?: { ok: boolean; text: string };
}

export function useAction() {
  const [state, setState] = useState<ActionState>({ busy: false });
  const run = async <T,>(work: () => Promise<T>, success: (result: T) => string | undefined): Promise<boolean> => {
    setState({ busy: true });
    try {
      const text = success(await work());
      setState({ busy: false, outcome: text === undefined ? undefined : { ok: true, text } });
      return true;
    } catch (error) {
      setState({ busy: false, outcome: { ok: false, text: userMessage(error) } });
      return false;
    }
  };
  const fail = (text: string) => setState({ busy: false, outcome: { ok: false, text } });
  return { ...state, run, fail };
}

export function Outcome({ state }: { state: ActionState }) {
  if (!state.outcome) return null;
  return (
    // The helper's own words are English whatever the page's language: dir="auto" keeps them readable in a right-to-left page.
    <p class={`outcome ${state.outcome.ok ? 'ok' : 'attention'}`} role={state.outcome.ok ? 'status' : 'alert'} dir="auto">
      {state.outcome.text}
    </p>
  );
}
