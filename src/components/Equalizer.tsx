/** The three moving bars shown while a track plays live; decorative, so hidden from screen readers. */
export default function Equalizer() {
  return (
    <span class="lw-eq" aria-hidden="true">
      <i />
      <i />
      <i />
    </span>
  );
}
