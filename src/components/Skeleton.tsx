/** Placeholder boxes with exactly the loaded widget's dimensions, so nothing moves when data arrives. */
export default function Skeleton({ count }: { count: number }) {
  return (
    <div aria-hidden="true">
      <div class="lw-np">
        <span class="lw-cover lw-sk" />
        <div class="lw-meta">
          <span class="lw-line lw-sk" />
          <span class="lw-line lw-sk" />
          <span class="lw-line lw-sk" />
        </div>
      </div>
      {count > 0 && (
        <div class="lw-top">
          <span class="lw-line lw-sk" />
          <ul class="lw-row">
            {Array.from({ length: count }, (_, i) => (
              <li key={i} class="lw-artist">
                <span class="lw-avatar lw-sk" />
                <span class="lw-line lw-sk" />
              </li>
            ))}
          </ul>
        </div>
      )}
    </div>
  );
}
