/** 150000 msat → "150 sats"; 1500 msat → "1.5 sats" (with the exact msat shown beside it). */
export function formatSats(amountMsat: number): { sats: string; fractional: boolean } {
  const whole = Math.floor(amountMsat / 1000);
  const rest = amountMsat % 1000;
  const grouped = whole.toLocaleString('en-US');
  if (rest === 0) return { sats: `${grouped} ${whole === 1 ? 'sat' : 'sats'}`, fractional: false };
  const decimals = String(rest).padStart(3, '0').replace(/0+$/, '');
  return { sats: `${grouped}.${decimals} sats`, fractional: true };
}
