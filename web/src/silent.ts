// The hidden frame of a silent sign-in (`prompt=none`): hands Keycloak's answer back to the app that opened it.
import { userManager } from "./lib/auth";

void userManager.signinSilentCallback();
