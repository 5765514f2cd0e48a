import { useEffect, useState } from 'preact/hooks';
import {
  describeOpenError,
  loadSettings,
  openDevice,
  saveSettings,
  unsupported,
  type Opened,
  type Settings,
} from '../boot.ts';
import { Onboarding } from './onboarding.tsx';
import { Shell } from './shell.tsx';

type Phase =
  | { readonly kind: 'onboarding' }
  | { readonly kind: 'opening'; readonly settings: Settings; readonly wait: boolean }
  | { readonly kind: 'ready'; readonly opened: Opened }
  | {
      readonly kind: 'error';
      readonly text: string;
      readonly otherTab: boolean;
      readonly settings: Settings;
    };

/** The page: a check of the browser, onboarding on first visit, then the messenger. */
export function App() {
  const problem = unsupported();
  const [phase, setPhase] = useState<Phase>(() => {
    const settings = loadSettings();
    return settings === undefined
      ? { kind: 'onboarding' }
      : { kind: 'opening', settings, wait: false };
  });
  const [notPersisted, setNotPersisted] = useState(false);

  useEffect(() => {
    if (phase.kind !== 'opening' || problem !== undefined) return;
    let live = true;
    openDevice(phase.settings, phase.wait, () => {
      setNotPersisted(true);
    }).then(
      (opened) => {
        if (live) setPhase({ kind: 'ready', opened });
        else void opened.device.close();
      },
      (error: unknown) => {
        if (live)
          setPhase({ kind: 'error', ...describeOpenError(error), settings: phase.settings });
      },
    );
    return () => {
      live = false;
    };
  }, [phase, problem]);

  if (problem !== undefined) {
    return (
      <main class="centered">
        <h1>Kith cannot start here</h1>
        <p role="alert">{problem}</p>
      </main>
    );
  }
  switch (phase.kind) {
    case 'onboarding':
      return (
        <Onboarding
          onDone={(settings) => {
            saveSettings(settings);
            setPhase({ kind: 'opening', settings, wait: false });
          }}
        />
      );
    case 'opening':
      return (
        <main class="centered" aria-busy="true">
          <p role="status">
            {phase.wait ? 'Waiting for the other tab to close…' : 'Opening Kith…'}
          </p>
        </main>
      );
    case 'error':
      return (
        <main class="centered">
          <h1>Kith could not open</h1>
          <p role="alert">{phase.text}</p>
          {phase.otherTab && (
            <button
              type="button"
              onClick={() => {
                setPhase({ kind: 'opening', settings: phase.settings, wait: true });
              }}
            >
              Use it here once the other tab closes
            </button>
          )}
        </main>
      );
    case 'ready':
      return <Shell messenger={phase.opened.messenger} notPersisted={notPersisted} />;
  }
}
