// zod/mini is zod's validator core without the classes behind its method chains: the same parsing
// and messages, but less for every `braid get` to load and build (and a smaller renderer). Its
// messages come from the English locale set here once; Braid translates its own elsewhere.
// Import it as a namespace (`import * as z`): named exports let the bundler drop what is unused.
import { config } from 'zod/mini';
import en from 'zod/v4/locales/en.js';

config(en());

export * from 'zod/mini';
