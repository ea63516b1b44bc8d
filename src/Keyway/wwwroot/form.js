// Forms generated from field lists (fields.js): one place that knows how each kind of field is shown and read back.
import { h, button, reportError } from './dom.js';

let formCount = 0;

/**
 * A form for the given fields. mode 'create' shows every field except editOnly ones; 'edit' hides createOnly ones
 * and fills the values. onSubmit(body) may throw an ApiError: its detail is shown and its field marked.
 */
export function entityForm({ fields, values = {}, mode = 'create', title, submitLabel = 'Save', onSubmit, onCancel }) {
  const id = `f${++formCount}`;
  const shown = fields.filter((field) => (mode === 'create' ? !field.editOnly : !field.createOnly));
  const error = h('p', { class: 'form-error', role: 'alert', tabindex: -1, hidden: true });
  const form = h('form', { class: 'entity-form', 'aria-label': title, novalidate: true },
    title ? h('h3', { text: title }) : null,
    h('div', { class: 'fields' }, shown.map((field) => fieldRow(id, field, values[field.name], mode))),
    error,
    h('div', { class: 'actions' },
      h('button', { type: 'submit', class: 'primary', text: submitLabel }),
      onCancel ? button('Cancel', onCancel) : null));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    error.hidden = true;
    form.querySelectorAll('[aria-invalid]').forEach((input) => input.removeAttribute('aria-invalid'));
    const submit = form.querySelector('button[type=submit]');
    submit.disabled = true;
    try {
      await onSubmit(readForm(form, shown, mode));
    } catch (failure) {
      error.textContent = failure.message;
      error.hidden = false;
      const input = failure.field && form.elements.namedItem(failure.field);
      // Focus goes to the field at fault, else to the message: the submit button it was on is disabled meanwhile.
      if (input) {
        input.setAttribute('aria-invalid', 'true');
        input.focus();
      } else {
        error.focus();
      }
      reportError(failure);
    } finally {
      submit.disabled = false;
    }
  });
  return form;
}

function fieldRow(formId, field, value, mode) {
  const inputId = `${formId}-${field.name}`;
  const input = inputFor(field, value, mode);
  input.id = inputId;
  input.name = field.name;
  if (field.required && !(mode === 'edit' && field.type === 'password')) {
    input.required = true;
  }
  const label = h('label', { for: inputId, text: field.label });
  const help = field.help ? h('small', { text: field.help }) : null;
  return field.type === 'checkbox'
    ? h('div', { class: 'field check' }, input, label, help)
    : h('div', { class: 'field' }, label, input, help);
}

function inputFor(field, value, mode) {
  switch (field.type) {
    case 'select': {
      const options = typeof field.options === 'function' ? field.options() : field.options;
      const select = h('select', {}, options.map((option) => {
        const [optionValue, text] = Array.isArray(option) ? option : [option, option];
        return h('option', { value: optionValue, text });
      }));
      select.value = value ?? field.default ?? select.options[0]?.value ?? '';
      return select;
    }
    case 'checkbox': {
      const box = h('input', { type: 'checkbox' });
      box.checked = value ?? field.default ?? true;
      return box;
    }
    case 'json':
      return h('textarea', { rows: 3, placeholder: field.placeholder, spellcheck: 'false' }, jsonText(value));
    case 'list':
      return h('input', { type: 'text', value: (value ?? []).join(', '), placeholder: field.placeholder });
    case 'lines':
      return h('textarea', { rows: 3, placeholder: field.placeholder, spellcheck: 'false' }, (value ?? []).join('\n'));
    case 'datetime':
      return h('input', { type: 'datetime-local', value: value ? localInput(value) : '', 'data-stored': value });
    case 'password':
      return h('input', { type: 'password', autocomplete: 'off', placeholder: mode === 'edit' ? 'unchanged' : field.placeholder });
    case 'number':
      return h('input', {
        type: 'number', value: value ?? field.default ?? '', placeholder: field.placeholder, min: field.min, max: field.max, step: field.step,
        inputmode: field.step === 'any' ? 'decimal' : 'numeric',
      });
    default:
      return h('input', { type: field.type ?? 'text', value: value ?? field.default ?? '', placeholder: field.placeholder });
  }
}

function jsonText(value) {
  if (value === undefined || value === null || value === '') {
    return '';
  }
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** The body to send: empty optional fields are left out on create; on edit they clear (null), secrets stay unchanged. */
function readForm(form, fields, mode) {
  const body = {};
  for (const field of fields) {
    const input = form.elements.namedItem(field.name);
    // A number the browser cannot read ("--5", "1e") has the value '', which would clear (or keep) the stored one.
    if (field.type === 'number' && input.validity.badInput) {
      throw refusal(field, 'must be a number');
    }
    const raw = field.type === 'checkbox' ? input.checked : input.value.trim();
    if (raw === '' && (mode === 'create' || field.type === 'password' || field.keepWhenEmpty)) {
      if (field.required && mode === 'create') {
        throw refusal(field, 'is required');
      }
      continue;
    }
    body[field.name] = convert(field, raw, input);
  }
  return body;
}

/** The form's own refusal of a field, shown and marked as the API's are. */
function refusal(field, reason) {
  return Object.assign(new Error(`${field.label} ${reason}`), { field: field.name });
}

function convert(field, raw, input) {
  switch (field.type) {
    case 'number':
      return raw === '' ? null : Number(raw);
    case 'json':
      if (raw === '') {
        return field.emptyValue ?? null;
      }
      try {
        return field.asText ? JSON.stringify(JSON.parse(raw)) : JSON.parse(raw);
      } catch {
        throw refusal(field, 'must be JSON');
      }
    case 'list':
    case 'lines':
      return raw.split(field.type === 'list' ? ',' : '\n').map((item) => item.trim()).filter(Boolean);
    case 'select':
      return raw === '' ? null : field.boolean ? raw === 'true' : raw;
    case 'datetime':
      // The input shows minutes only: left as shown, it keeps the stored instant (seconds and all).
      if (input.dataset.stored && raw === input.defaultValue) {
        return input.dataset.stored;
      }
      return raw === '' ? null : new Date(raw).toISOString();
    default:
      return raw;
  }
}

/** An ISO time as the yyyy-MM-ddTHH:mm a datetime-local input shows, in the browser's time zone. */
function localInput(iso) {
  const date = new Date(iso);
  const pad = (n) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}
