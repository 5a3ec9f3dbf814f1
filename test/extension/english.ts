/** Imported first by tests of code that says something: the extension speaks English, as in the default catalogue. */
import { useCatalogue } from './catalogue';

useCatalogue('en');
