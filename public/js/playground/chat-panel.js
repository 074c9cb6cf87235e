// Built by scripts/build-playground.ts from public/playground/chat-panel.ts: edit that file, not this one.
import {
                  
                   
  GatewayClientError,
  resumeStream,
                   
                       
  streamChat,
} from '../client/index.js';
import { answerMeta } from './answer-meta.js';
import { byId, el } from './dom.js';
import { explainError } from './explain-error.js';
import { clearError, showError } from './notice.js';
import { chosenModel, clientOptions } from './session.js';

const conversation = byId                  ('conversation');
const prompt = byId                     ('prompt');
const sendButton = byId                   ('send');
const stopButton = byId                   ('stop');
const messages                = [];
let running                             ;

/** The system prompt and parameters the person set; empty fields are left to the gateway. */
function parameters() {
  const value = (id        ) => byId                  (id).value.trim();
  const number = (id        ) => (value(id) === '' ? undefined : Number(value(id)));
  const tools = value('tools')
    .split(',')
    .map((t) => t.trim())
    .filter(Boolean);
  const fields = {
    system: value('system') || undefined,
    temperature: number('temperature'),
    max_tokens: number('max_tokens'),
    top_p: number('top_p'),
    seed: number('seed'),
    tools: tools.length ? tools : undefined,
  };
  return Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined));
}

/** One answer as it streams: its text, its tool steps as they happen, then its facts. */
function answerView() {
  const item = el('li', 'answer streaming');
  // The conversation is a live region: busy keeps screen readers from reading every token as it lands.
  item.setAttribute('aria-busy', 'true');
  const steps = el('ol', 'steps');
  const text = el('div', 'text');
  item.append(el('span', 'who', 'Assistant'), steps, text);
  conversation.append(item);
  const calls = new Map                       ();
  const fragments = new Map                                                           ();
  return {
    item,
    text,
    toolCall(call                              ) {
      // Client tools stream their arguments in fragments by index; server tools come whole, with an id.
      const key = call.index ?? -1;
      const known = call.id === undefined ? fragments.get(key) : undefined;
      if (known) {
        known.args += call.arguments;
        known.line.textContent = `${known.name}(${known.args})`;
        return;
      }
      const step = el('li', 'step');
      const line = el('code', '', `${call.name ?? 'tool'}(${call.arguments})`);
      step.append('Calling ', line);
      steps.append(step);
      if (call.id !== undefined) calls.set(call.id, step);
      if (call.index !== undefined) fragments.set(call.index, { name: call.name ?? 'tool', args: call.arguments, line });
    },
    toolResult(result                                ) {
      const step = calls.get(result.id) ?? steps.appendChild(el('li', 'step', `${result.name}`));
      const outcome = result.error === undefined ? `→ ${result.result ?? ''}` : `→ failed: ${result.error}`;
      step.append(` ${outcome} (${Math.round(result.ms)} ms)`);
    },
  };
}

/** Where this tab keeps its conversation and the id of the answer streaming now, so a reload can resume it. */
const CONVERSATION_STORAGE = 'edge-llm-gateway.conversation';
const STREAM_STORAGE = 'edge-llm-gateway.stream';
/** Set when the page goes away: a stream cut by a reload stays resumable (its id is kept). */
let leaving = false;

const saveConversation = () => sessionStorage.setItem(CONVERSATION_STORAGE, JSON.stringify(messages));

/** A question in the conversation. */
function showQuestion(question        )                {
  const user = el('li', 'user');
  user.append(el('span', 'who', 'You'), el('div', 'text', question));
  conversation.append(user);
  return user;
}

async function send()                {
  const question = prompt.value.trim();
  if (!question || running) return;
  clearError();
  prompt.value = '';
  const user = showQuestion(question);
  messages.push({ role: 'user', content: question });
  saveConversation();
  const options = { ...chosenModel(), ...parameters(), messages: [...messages], resumable: true };
  await answer(question, user, (signal, onOpen) => streamChat({ ...clientOptions(signal), ...options, onOpen }));
}

/**
 * Shows one answer as it streams, from a new call or from one resumed after a reload. The stream is resumable:
 * its id stays in sessionStorage until it ends, and the client itself resumes a connection that drops.
 */
async function answer(
  question        ,
  user               ,
  open                                                                                         ,
)                {
  const view = answerView();
  const controller = new AbortController();
  running = controller;
  sendButton.disabled = true;
  stopButton.disabled = false;
  const started = performance.now();
  let firstToken                    ;
  let content = '';
  let info                        ;
  let usage                                      ;
  let model                    ;
  try {
    const onOpen = (i            ) => {
      info = i;
      if (i.streamId) sessionStorage.setItem(STREAM_STORAGE, i.streamId);
    };
    for await (const event of open(controller.signal, onOpen)) {
      if (event.type === 'delta') {
        firstToken ??= performance.now() - started;
        content += event.content ?? event.refusal ?? '';
        view.text.textContent = content;
      } else if (event.type === 'tool_call') view.toolCall(event);
      else if (event.type === 'tool_result') view.toolResult(event);
      else if (event.type === 'usage') usage = event;
      else if (event.type === 'done') model = event.model;
      else showError(explainError(new GatewayClientError(200, event.error, { requestId: info?.requestId }), content !== ''));
    }
  } catch (error) {
    if (controller.signal.aborted) view.item.append(el('p', 'hint', 'Stopped: the gateway cancelled the model call.'));
    else showError(explainError(error, content !== ''));
  } finally {
    if (!leaving) sessionStorage.removeItem(STREAM_STORAGE);
    running = undefined;
    sendButton.disabled = false;
    stopButton.disabled = true;
    view.item.classList.remove('streaming');
    view.item.setAttribute('aria-busy', 'false');
  }
  if (content || view.item.querySelector('.step')) {
    if (content) messages.push({ role: 'assistant', content });
    else messages.pop();
    view.item.append(answerMeta({ info, model, usage, firstTokenMs: firstToken, totalMs: performance.now() - started }));
  } else {
    // Nothing came back: take the question off the conversation and give it back to the person, to send again.
    messages.pop();
    user.remove();
    view.item.remove();
    if (!prompt.value) prompt.value = question;
  }
  saveConversation();
  document.dispatchEvent(new Event('answered'));
}

/** After a reload: the conversation of this tab, and the answer that was streaming, resumed from its first event. */
function restoreConversation()       {
  let saved         ;
  try {
    saved = JSON.parse(sessionStorage.getItem(CONVERSATION_STORAGE) ?? '[]');
  } catch {
    saved = [];
  }
  if (!Array.isArray(saved)) return;
  let last                           ;
  for (const message of saved                 ) {
    if (typeof message?.content !== 'string' || (message.role !== 'user' && message.role !== 'assistant')) continue;
    messages.push({ role: message.role, content: message.content });
    if (message.role === 'user') last = showQuestion(message.content);
    else {
      const item = el('li', 'answer');
      item.append(el('span', 'who', 'Assistant'), el('div', 'text', message.content));
      conversation.append(item);
    }
  }
  const streamId = sessionStorage.getItem(STREAM_STORAGE);
  const question = messages.at(-1);
  if (streamId && last && question?.role === 'user')
    void answer(question.content ?? '', last, (signal, onOpen) => resumeStream({ ...clientOptions(signal), streamId, onOpen }));
  else sessionStorage.removeItem(STREAM_STORAGE);
}

/** Wires the chat tab: Enter sends, Shift+Enter starts a new line, Stop aborts the stream, Clear forgets the conversation. */
export function setUpChat()       {
  byId('composer').addEventListener('submit', (event) => {
    event.preventDefault();
    void send();
  });
  prompt.addEventListener('keydown', (event) => {
    if (event.key !== 'Enter' || event.shiftKey || event.isComposing) return;
    event.preventDefault();
    void send();
  });
  stopButton.addEventListener('click', () => running?.abort());
  byId('clear').addEventListener('click', () => {
    running?.abort();
    messages.length = 0;
    conversation.replaceChildren();
    sessionStorage.removeItem(CONVERSATION_STORAGE);
    clearError();
  });
  addEventListener('pagehide', () => (leaving = true));
  addEventListener('pageshow', () => (leaving = false));
  restoreConversation();
}
