/** The detail dialog's slate-800/30 tile that holds one figure or one group of controls. */
export const tile = "rounded-lg bg-slate-800/30 p-4";
/** A section heading inside the detail dialog's tabs. */
export const sectionTitle = "mb-4 text-base font-semibold text-slate-100";
