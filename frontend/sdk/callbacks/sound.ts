// A gentle two-note chime while ringing, only once the customer has clicked something of ours
// on this page (browsers allow sound only after a user gesture).

let audio: AudioContext | null = null;

type AudioWindow = Window & { webkitAudioContext?: typeof AudioContext };

/** Called from the customer's clicks: the context may start now. */
export function unlockAudio(): void {
  const AC = window.AudioContext ?? (window as AudioWindow).webkitAudioContext;
  if (!AC) return;
  try {
    audio ??= new AC();
    if (audio.state === "suspended") void audio.resume();
  } catch {
    audio = null;
  }
}

export function chime(): void {
  if (!audio || audio.state !== "running") return;
  const t = audio.currentTime;
  [659.25, 880].forEach((freq, i) => {
    if (!audio) return;
    const o = audio.createOscillator();
    const g = audio.createGain();
    const at = t + i * 0.22;
    o.type = "sine";
    o.frequency.value = freq;
    g.gain.setValueAtTime(0.0001, at);
    g.gain.exponentialRampToValueAtTime(0.06, at + 0.03);
    g.gain.exponentialRampToValueAtTime(0.0001, at + 0.7);
    o.connect(g);
    g.connect(audio.destination);
    o.start(at);
    o.stop(at + 0.75);
  });
}
