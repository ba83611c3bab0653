// LLM router: the typed chat call (the OpenAI-compatible pass-through is a raw streaming route).
import { router } from '../trpc';
import { chat } from './chat';

export const llmRouter = router({ chat });
