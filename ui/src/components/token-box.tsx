/** Asked for when the server has tokens and ours is missing or refused (401). */
import { useState } from "preact/hooks";

export function TokenBox(props: { refused: string | undefined; onToken: (t: string) => void }) {
  const { refused, onToken } = props;
  const [value, setValue] = useState("");
  return (
    <main class="page narrow">
      <form
        class="card token-box"
        onSubmit={(event) => {
          event.preventDefault();
          if (value.trim()) onToken(value.trim());
        }}
      >
        <h1>Sign in with an API token</h1>
        <p class="muted">
          This server needs a token with the <code>read</code> or <code>admin</code> role. Ask its
          administrator for one (<code>crashlens token create --role read --name NAME</code>). It is
          kept for this browser tab only.
        </p>
        {refused && (
          <p class="error" role="alert">
            {refused}
          </p>
        )}
        <label class="field">
          <span>Token</span>
          <input
            type="password"
            autoComplete="off"
            spellcheck={false}
            value={value}
            onInput={(event) => setValue(event.currentTarget.value)}
            // biome-ignore lint/a11y/noAutofocus: the only thing to do on this page
            autoFocus
          />
        </label>
        <button type="submit" class="button primary">
          Sign in
        </button>
      </form>
    </main>
  );
}
