import { pythonAllowed, type Candidate, type Release } from '../solver/release.js';

// The solver's view of releases, defined solver-side (fetch depends on the solver, not the reverse).
export { pythonAllowed, type Candidate, type Release };
